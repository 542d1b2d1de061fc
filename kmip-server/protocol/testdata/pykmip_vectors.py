"""Encodes a set of KMIP messages with PyKMIP and prints them as JSON hex, so the TypeScript
codec can be checked byte for byte against an independent implementation.

Run: /tmp/pyv/bin/python kmip-server/protocol/testdata/pykmip_vectors.py > kmip-server/protocol/testdata/pykmip-vectors.json
"""
import json

from kmip.core import attributes, enums, objects, primitives, secrets, utils
from kmip.core.attributes import CryptographicParameters
from kmip.core.factories.attributes import AttributeFactory
from kmip.core.messages import contents, messages, payloads

af = AttributeFactory()


def header(major, minor, count=1):
    return messages.RequestHeader(
        protocol_version=contents.ProtocolVersion(major, minor),
        batch_count=contents.BatchCount(count),
    )


def resp_header(major, minor, ts, count=1):
    return messages.ResponseHeader(
        protocol_version=contents.ProtocolVersion(major, minor),
        time_stamp=contents.TimeStamp(ts),
        batch_count=contents.BatchCount(count),
    )


def enc(msg):
    s = utils.BytearrayStream()
    msg.write(s)
    return s.buffer.hex()


def req(op, payload, major=1, minor=4):
    return enc(messages.RequestMessage(
        request_header=header(major, minor),
        batch_items=[messages.RequestBatchItem(operation=contents.Operation(op), request_payload=payload)],
    ))


out = {}

template = objects.TemplateAttribute(attributes=[
    af.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_ALGORITHM, enums.CryptographicAlgorithm.AES),
    af.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_LENGTH, 256),
    af.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_USAGE_MASK,
                        [enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT]),
])
out['create_request_1_2'] = req(enums.Operation.CREATE, payloads.CreateRequestPayload(
    object_type=enums.ObjectType.SYMMETRIC_KEY, template_attribute=template), 1, 2)

out['get_request_1_0'] = req(enums.Operation.GET, payloads.GetRequestPayload(unique_identifier='42'), 1, 0)
out['activate_request_1_4'] = req(enums.Operation.ACTIVATE, payloads.ActivateRequestPayload(
    unique_identifier=attributes.UniqueIdentifier("42")))
out['destroy_request_1_4'] = req(enums.Operation.DESTROY, payloads.DestroyRequestPayload(
    unique_identifier=attributes.UniqueIdentifier("42")))
out['encrypt_request_1_2'] = req(enums.Operation.ENCRYPT, payloads.EncryptRequestPayload(
    unique_identifier='42',
    cryptographic_parameters=CryptographicParameters(
        block_cipher_mode=enums.BlockCipherMode.CBC,
        padding_method=enums.PaddingMethod.PKCS5,
        cryptographic_algorithm=enums.CryptographicAlgorithm.AES),
    data=b'\x01\x02\x03\x04\x05\x06\x07\x08'), 1, 2)
out['discover_versions_request_1_4'] = req(enums.Operation.DISCOVER_VERSIONS, payloads.DiscoverVersionsRequestPayload(
    protocol_versions=[contents.ProtocolVersion(2, 0), contents.ProtocolVersion(1, 4)]))

# A Get response carrying a raw AES-256 key, as mongod expects it.
key = bytes(range(32))
sym = secrets.SymmetricKey(
    key_block=objects.KeyBlock(
        key_format_type=objects.KeyFormatType(enums.KeyFormatType.RAW),
        key_value=objects.KeyValue(key_material=objects.KeyMaterial(key)),
        cryptographic_algorithm=primitives.Enumeration(
            enums.CryptographicAlgorithm, enums.CryptographicAlgorithm.AES, tag=enums.Tags.CRYPTOGRAPHIC_ALGORITHM),
        cryptographic_length=primitives.Integer(256, tag=enums.Tags.CRYPTOGRAPHIC_LENGTH)))
get_resp = messages.ResponseMessage(
    response_header=resp_header(1, 0, 1700000000),
    batch_items=[messages.ResponseBatchItem(
        operation=contents.Operation(enums.Operation.GET),
        result_status=contents.ResultStatus(enums.ResultStatus.SUCCESS),
        response_payload=payloads.GetResponsePayload(
            object_type=enums.ObjectType.SYMMETRIC_KEY, unique_identifier='42', secret=sym))])
out['get_response_1_0'] = enc(get_resp)

fail_resp = messages.ResponseMessage(
    response_header=resp_header(1, 2, 1700000000),
    batch_items=[messages.ResponseBatchItem(
        operation=contents.Operation(enums.Operation.GET),
        result_status=contents.ResultStatus(enums.ResultStatus.OPERATION_FAILED),
        result_reason=contents.ResultReason(enums.ResultReason.ITEM_NOT_FOUND),
        result_message=contents.ResultMessage('object not found'))])
out['failure_response_1_2'] = enc(fail_resp)




# Request payloads the client builds (clients/kmip/operations.ts), protocol 1.4 unless noted.
def req_out(name, op, payload, major=1, minor=4):
    out[name] = req(op, payload, major, minor)


name_attr = af.create_attribute(enums.AttributeType.NAME, 'mongodb-cmk')
req_out('client_register_secret_data_1_0', enums.Operation.REGISTER, payloads.RegisterRequestPayload(
    object_type=enums.ObjectType.SECRET_DATA,
    template_attribute=objects.TemplateAttribute(attributes=[
        af.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_USAGE_MASK, [])]),
    managed_object=secrets.SecretData(
        secret_data_type=secrets.SecretData.SecretDataType(enums.SecretDataType.SEED),
        key_block=objects.KeyBlock(
            key_format_type=objects.KeyFormatType(enums.KeyFormatType.OPAQUE),
            key_value=objects.KeyValue(key_material=objects.KeyMaterial(bytes(range(96))))))), 1, 0)
req_out('client_get_attributes', enums.Operation.GET_ATTRIBUTES, payloads.GetAttributesRequestPayload(
    unique_identifier='42', attribute_names=['State', 'Cryptographic Length']))
req_out('client_get_attribute_list', enums.Operation.GET_ATTRIBUTE_LIST,
        payloads.GetAttributeListRequestPayload(unique_identifier='42'))
req_out('client_revoke', enums.Operation.REVOKE, payloads.RevokeRequestPayload(
    unique_identifier=attributes.UniqueIdentifier('42'),
    revocation_reason=objects.RevocationReason(code=enums.RevocationReasonCode.CESSATION_OF_OPERATION)))
req_out('client_locate', enums.Operation.LOCATE, payloads.LocateRequestPayload(
    maximum_items=10, attributes=[
        af.create_attribute(enums.AttributeType.OBJECT_TYPE, enums.ObjectType.SYMMETRIC_KEY), name_attr]))
req_out('client_decrypt_1_2', enums.Operation.DECRYPT, payloads.DecryptRequestPayload(
    unique_identifier='42',
    cryptographic_parameters=CryptographicParameters(
        block_cipher_mode=enums.BlockCipherMode.CBC,
        padding_method=enums.PaddingMethod.PKCS5,
        cryptographic_algorithm=enums.CryptographicAlgorithm.AES),
    data=bytes(range(16)), iv_counter_nonce=bytes(range(16, 32))), 1, 2)
req_out('client_rekey', enums.Operation.REKEY, payloads.RekeyRequestPayload(unique_identifier='42'))
req_out('client_query', enums.Operation.QUERY, payloads.QueryRequestPayload(query_functions=[
    enums.QueryFunction.QUERY_OPERATIONS, enums.QueryFunction.QUERY_OBJECTS]))

print(json.dumps(out, indent=2))
