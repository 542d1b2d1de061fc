"""PyKMIP's ProxyKmipClient driving a full lifecycle against the OpenKCM KMIP server.

usage: pykmip_lifecycle.py <host> <port> <client.crt> <client.key> <ca.pem>
Prints one JSON object with what each step returned; exits non-zero on the first failure.
"""
import json
import sys

from kmip import enums
from kmip.core.factories import attributes as attribute_factory
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient


def main() -> None:
    host, port, cert, key, ca = sys.argv[1:6]
    out = {}
    with ProxyKmipClient(hostname=host, port=int(port), cert=cert, key=key, ca=ca, config="client",
                         kmip_version=enums.KMIPVersion.KMIP_1_2) as c:
        uid = c.create(enums.CryptographicAlgorithm.AES, 256, name="pykmip-lifecycle",
                       cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT])
        out["create"] = uid
        key_obj = c.get(uid)
        out["getPreActive"] = {"length": key_obj.cryptographic_length, "algorithm": key_obj.cryptographic_algorithm.name, "bytes": len(key_obj.value)}
        _, attrs = c.get_attributes(uid, ["State", "Cryptographic Algorithm", "Name"])
        out["attributesBefore"] = {a.attribute_name.value: str(a.attribute_value) for a in attrs}
        c.activate(uid)
        _, attrs = c.get_attributes(uid, ["State"])
        out["stateAfterActivate"] = str(attrs[0].attribute_value)
        out["attributeList"] = sorted(c.get_attribute_list(uid))
        out["locate"] = c.locate(attributes=[attribute_factory.AttributeFactory().create_attribute(enums.AttributeType.NAME, "pykmip-lifecycle")])
        iv = b"\x00" * 16
        ct, _ = c.encrypt(b"sixteen byte msg", uid, cryptographic_parameters={
            "block_cipher_mode": enums.BlockCipherMode.CBC, "padding_method": enums.PaddingMethod.PKCS5,
            "cryptographic_algorithm": enums.CryptographicAlgorithm.AES}, iv_counter_nonce=iv)
        pt = c.decrypt(ct, uid, cryptographic_parameters={
            "block_cipher_mode": enums.BlockCipherMode.CBC, "padding_method": enums.PaddingMethod.PKCS5,
            "cryptographic_algorithm": enums.CryptographicAlgorithm.AES}, iv_counter_nonce=iv)
        out["roundTrip"] = pt.decode()
        secret = objects.SecretData(b"\x2a" * 32, enums.SecretDataType.PASSWORD, name="pykmip-secret")
        sid = c.register(secret)
        out["registeredSecret"] = c.get(sid).value.hex()
        try:
            c.destroy(uid)
            out["destroyWhileActive"] = "allowed"
        except Exception as e:  # noqa: BLE001 - the refusal is what we check
            out["destroyWhileActive"] = type(e).__name__ + ": " + str(e)
        c.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
        _, attrs = c.get_attributes(uid, ["State"])
        out["stateAfterRevoke"] = str(attrs[0].attribute_value)
        c.destroy(uid)
        _, attrs = c.get_attributes(uid, ["State"])
        out["stateAfterDestroy"] = str(attrs[0].attribute_value)
        c.destroy(sid)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
