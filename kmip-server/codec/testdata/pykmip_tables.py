"""Dumps PyKMIP's tag and enumeration tables (names and values) as JSON, an independent
reference the TypeScript tables are checked against (tables.test.ts).

Run: /tmp/pyv/bin/python kmip-server/codec/testdata/pykmip_tables.py > kmip-server/codec/testdata/pykmip-tables.json
"""
import json

from kmip.core import enums

ENUMS = [
    'Operation', 'ObjectType', 'ResultReason', 'ResultStatus', 'CryptographicAlgorithm', 'BlockCipherMode',
    'PaddingMethod', 'KeyFormatType', 'State', 'QueryFunction', 'RevocationReasonCode', 'SecretDataType',
    'HashingAlgorithm', 'CryptographicUsageMask', 'NameType', 'LinkType', 'BatchErrorContinuationOption',
    'ObjectGroupMember', 'StorageStatusMask', 'KeyRoleType', 'DigitalSignatureAlgorithm', 'RecommendedCurve',
]
out = {
    'tags': {t.name: t.value for t in enums.Tags},
    'enums': {e: {m.name: m.value for m in getattr(enums, e)} for e in ENUMS},
}
print(json.dumps(out, indent=1, sort_keys=True))
