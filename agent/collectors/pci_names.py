"""Names for PCI display adapters: vendor ids and a small table of common device ids."""

from __future__ import annotations

VENDORS = {
    "10de": ("nvidia", "NVIDIA"),
    "1002": ("amd", "AMD"),
    "1022": ("amd", "AMD"),
    "8086": ("intel", "Intel"),
    "1a03": ("other", "ASPEED"),  # server BMC graphics
    "102b": ("other", "Matrox"),
    "15ad": ("other", "VMware"),
    "1234": ("other", "QEMU"),
    "1af4": ("other", "Red Hat virtio"),
    "1414": ("other", "Microsoft"),
    "80ee": ("other", "VirtualBox"),
    "1d17": ("other", "Zhaoxin"),
    "0709": ("other", "Moore Threads"),
}

DEVICES = {
    # NVIDIA
    ("10de", "1b80"): "GeForce GTX 1080",
    ("10de", "1b81"): "GeForce GTX 1070",
    ("10de", "1c03"): "GeForce GTX 1060 6GB",
    ("10de", "1c82"): "GeForce GTX 1050 Ti",
    ("10de", "1f08"): "GeForce RTX 2060",
    ("10de", "1e84"): "GeForce RTX 2070 SUPER",
    ("10de", "2204"): "GeForce RTX 3090",
    ("10de", "2206"): "GeForce RTX 3080",
    ("10de", "2484"): "GeForce RTX 3070",
    ("10de", "2487"): "GeForce RTX 3060",
    ("10de", "2503"): "GeForce RTX 3060",
    ("10de", "2504"): "GeForce RTX 3060 Lite Hash Rate",
    ("10de", "2684"): "GeForce RTX 4090",
    ("10de", "2704"): "GeForce RTX 4080",
    ("10de", "2782"): "GeForce RTX 4070 Ti",
    ("10de", "2786"): "GeForce RTX 4070",
    ("10de", "2803"): "GeForce RTX 4060 Ti",
    ("10de", "2882"): "GeForce RTX 4060",
    ("10de", "20b0"): "A100 SXM4 40GB",
    ("10de", "2330"): "H100 SXM5 80GB",
    # AMD
    ("1002", "67df"): "Radeon RX 470/480/570/580/590",
    ("1002", "731f"): "Radeon RX 5600 XT / 5700 / 5700 XT",
    ("1002", "73bf"): "Radeon RX 6800 / 6800 XT / 6900 XT",
    ("1002", "73df"): "Radeon RX 6700 / 6700 XT / 6750 XT",
    ("1002", "73ff"): "Radeon RX 6600 / 6600 XT / 6650 XT",
    ("1002", "744c"): "Radeon RX 7900 XT / 7900 XTX",
    ("1002", "1638"): "Radeon Vega (Cezanne APU)",
    ("1002", "164e"): "Radeon Graphics (Raphael APU)",
    # Intel
    ("8086", "3e92"): "UHD Graphics 630",
    ("8086", "3e98"): "UHD Graphics 630",
    ("8086", "9bc5"): "UHD Graphics 630",
    ("8086", "4680"): "UHD Graphics 770",
    ("8086", "a780"): "UHD Graphics 770",
    ("8086", "46a6"): "Iris Xe Graphics",
    ("8086", "9a49"): "Iris Xe Graphics",
    ("8086", "56a0"): "Arc A770",
    ("8086", "56a1"): "Arc A750",
    ("8086", "56a5"): "Arc A380",
}


def vendor_of(vendor_id: str | None) -> tuple[str, str]:
    """('nvidia'|'amd'|'intel'|'other', display name) for a PCI vendor id like '10de'."""
    if not vendor_id:
        return ("other", "Unknown")
    return VENDORS.get(vendor_id.lower(), ("other", f"PCI vendor {vendor_id.lower()}"))


def adapter_name(vendor_id: str, device_id: str) -> str:
    """'NVIDIA GeForce RTX 3090', else 'AMD GPU [1002:73bf]'."""
    _, vendor = vendor_of(vendor_id)
    known = DEVICES.get((vendor_id.lower(), device_id.lower()))
    if known:
        return f"{vendor} {known}"
    return f"{vendor} GPU [{vendor_id.lower()}:{device_id.lower()}]"


def is_discrete(vendor_id: str | None, device_id: str | None, vram_mb: float | None) -> bool | None:
    """Best guess whether an adapter is a discrete card (None when it cannot be told)."""
    vendor, _ = vendor_of(vendor_id)
    if vendor == "nvidia":
        return True
    if vendor == "intel":
        return (device_id or "").lower().startswith(("56", "e2"))  # Arc Alchemist/Battlemage
    if vendor == "amd":
        return None if vram_mb is None else vram_mb >= 2048  # APUs carve out <= 2 GB
    return False
