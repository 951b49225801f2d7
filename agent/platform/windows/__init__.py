"""Windows implementations (WMI, registry, Win32 API). Importable on any OS; calls need Windows."""
