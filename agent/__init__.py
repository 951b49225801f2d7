"""minecheck endpoint agent: finds cryptocurrency mining and inventories the machine."""

__version__ = "0.1.0"
