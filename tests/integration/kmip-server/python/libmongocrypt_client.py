"""libmongocrypt (through pymongo's ClientEncryption) against the OpenKCM KMIP server.

usage: libmongocrypt_client.py <mode> <mongo-uri> <kmip-endpoint> <ca.pem> <client.pem (key+chain)> [delegated] [key-id-hex]
  mode "create": creates a data key in the key vault, encrypts a value, decrypts it, prints JSON
                 {"keyId": hex, "ciphertext": b64, "plaintext": str, "masterKey": {...}}
  mode "decrypt": decrypts the base64 ciphertext given on stdin with the existing key vault
"""
import base64
import json
import sys

from bson.binary import STANDARD
from bson.codec_options import CodecOptions
from pymongo import MongoClient
from pymongo.encryption import Algorithm, ClientEncryption


def main() -> None:
    mode, uri, endpoint, ca, cert = sys.argv[1:6]
    delegated = len(sys.argv) > 6 and sys.argv[6] == "delegated"
    client = MongoClient(uri)
    kms = {"kmip": {"endpoint": endpoint}}
    tls = {"kmip": {"tlsCAFile": ca, "tlsCertificateKeyFile": cert}}
    ce = ClientEncryption(kms, "keyvault.datakeys", client, CodecOptions(uuid_representation=STANDARD), kms_tls_options=tls)
    try:
        if mode == "create":
            master_key = {"delegated": True} if delegated else {}
            key_id = ce.create_data_key("kmip", master_key=master_key)
            ciphertext = ce.encrypt("OpenKCM secret value", Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic, key_id=key_id)
            plaintext = ce.decrypt(ciphertext)
            doc = client["keyvault"]["datakeys"].find_one({"_id": key_id})
            print(json.dumps({
                "keyId": key_id.hex(),
                "ciphertext": base64.b64encode(bytes(ciphertext)).decode(),
                "plaintext": plaintext,
                "masterKey": {k: (v if isinstance(v, (str, bool, int)) else str(v)) for k, v in doc["masterKey"].items()},
            }))
        elif mode == "decrypt":
            from bson.binary import Binary
            data = base64.b64decode(sys.stdin.read().strip())
            print(json.dumps({"plaintext": ce.decrypt(Binary(data, 6))}))
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        ce.close()
        client.close()


if __name__ == "__main__":
    main()
