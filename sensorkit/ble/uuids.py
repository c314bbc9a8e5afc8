"""Standard GATT UUIDs the client uses besides the protocols' own (Bluetooth SIG assigned numbers)."""
from bleak.uuids import normalize_uuid_16

BATTERY_SERVICE_UUID = normalize_uuid_16(0x180F)
BATTERY_LEVEL_UUID = normalize_uuid_16(0x2A19)
CCCD_UUID = normalize_uuid_16(0x2902)
DEVICE_INFORMATION_SERVICE_UUID = normalize_uuid_16(0x180A)
MODEL_NUMBER_UUID = normalize_uuid_16(0x2A24)
FIRMWARE_REVISION_UUID = normalize_uuid_16(0x2A26)
