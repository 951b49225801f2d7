// GPU miners, memory scope: no header, size or offset tests. Each rule needs the miner's
// identity plus protocol method names and algorithm names as C strings (\x00-terminated),
// the form they have inside a running program and never in a README or web page.

rule minecheck_mem_trex
{
    meta:
        family = "t-rex"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "T-Rex NVIDIA GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 T-Rex NVIDIA 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "T-Rex" ascii
        $id2 = "t-rex" ascii
        $id3 = "trex" ascii nocase
        $opt1 = "api-bind-http\x00" ascii
        $opt2 = "api-bind-telnet\x00" ascii
        $opt3 = "lhr-tune\x00" ascii
        $opt4 = "lhr-autotune-mode\x00" ascii
        $opt5 = "watchdog-exit-mode\x00" ascii
        $opt6 = "no-watchdog\x00" ascii
        $opt7 = "kernel\x00" ascii
        $opt8 = "pci-indexing\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_nbminer
{
    meta:
        family = "nbminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "NBMiner GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 NBMiner 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "NBMiner" ascii nocase
        $opt1 = "lhr-mode\x00" ascii
        $opt2 = "cuda-devices\x00" ascii
        $opt3 = "no-watchdog\x00" ascii
        $opt4 = "enable-dag-cache\x00" ascii
        $opt5 = "cclock\x00" ascii
        $opt6 = "mclock\x00" ascii
        $opt7 = "fee\x00" ascii
        $opt8 = "proxy\x00" ascii
        $opt9 = "platform\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_lolminer
{
    meta:
        family = "lolminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "lolMiner GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 lolMiner 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "lolMiner" ascii nocase
        $opt1 = "dualmode\x00" ascii
        $opt2 = "dualpool\x00" ascii
        $opt3 = "dualuser\x00" ascii
        $opt4 = "lhrtune\x00" ascii
        $opt5 = "ethstratum\x00" ascii
        $opt6 = "apiport\x00" ascii
        $opt7 = "keepfree\x00" ascii
        $opt8 = "watchdog\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_gminer
{
    meta:
        family = "gminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "GMiner GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 GMiner 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "GMiner" ascii
        $id2 = "gminer" ascii
        $opt1 = "dag_mode\x00" ascii
        $opt2 = "electricity_cost\x00" ascii
        $opt3 = "templimit\x00" ascii
        $opt4 = "cuda_devices\x00" ascii
        $opt5 = "opencl_devices\x00" ascii
        $opt6 = "watchdog\x00" ascii
        $opt7 = "pec\x00" ascii
        $opt8 = "proto\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_phoenixminer
{
    meta:
        family = "phoenixminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "PhoenixMiner GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 PhoenixMiner 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "PhoenixMiner" ascii nocase
        $opt1 = "-epool\x00" ascii
        $opt2 = "-ewal\x00" ascii
        $opt3 = "-epsw\x00" ascii
        $opt4 = "-eworker\x00" ascii
        $opt5 = "-dagrestart\x00" ascii
        $opt6 = "-rvram\x00" ascii
        $opt7 = "-clKernel\x00" ascii
        $opt8 = "-stales\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_teamredminer
{
    meta:
        family = "teamredminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "TeamRedMiner AMD GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 TeamRedMiner AMD 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "teamredminer" ascii nocase
        $opt1 = "--eth_config\x00" ascii
        $opt2 = "--bus_reorder\x00" ascii
        $opt3 = "--no_gpu_monitor\x00" ascii
        $opt4 = "--watchdog_script\x00" ascii
        $opt5 = "--pool_force_ensub\x00" ascii
        $opt6 = "--eth_dag_cache\x00" ascii
        $opt7 = "--kawpow_config\x00" ascii
        $opt8 = "--api_listen\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_srbminer
{
    meta:
        family = "srbminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "SRBMiner-MULTI CPU/GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 SRBMiner-MULTI CPU/显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "SRBMiner" ascii nocase
        $opt1 = "--disable-gpu\x00" ascii
        $opt2 = "--disable-cpu\x00" ascii
        $opt3 = "--cpu-threads\x00" ascii
        $opt4 = "--gpu-boost\x00" ascii
        $opt5 = "--give-up-limit\x00" ascii
        $opt6 = "--main-pool-reconnect\x00" ascii
        $opt7 = "--api-enable\x00" ascii
        $opt8 = "--algorithm\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_ethminer
{
    meta:
        family = "ethminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "ethminer Ethash GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 ethminer Ethash 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "ethminer" ascii nocase
        $opt1 = "--farm-recheck\x00" ascii
        $opt2 = "--farm-retries\x00" ascii
        $opt3 = "--report-hashrate\x00" ascii
        $opt4 = "--cl-global-work\x00" ascii
        $opt5 = "--cuda-grid-size\x00" ascii
        $opt6 = "--display-interval\x00" ascii
        $opt7 = "--HWMON\x00" ascii
        $opt8 = "--cl-local-work\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_nanominer
{
    meta:
        family = "nanominer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "nanominer CPU/GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 nanominer CPU/显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "nanominer" ascii nocase
        $opt1 = "rigName\x00" ascii
        $opt2 = "rigPassword\x00" ascii
        $opt3 = "pool1\x00" ascii
        $opt4 = "pool2\x00" ascii
        $opt5 = "wallet\x00" ascii
        $opt6 = "sortPools\x00" ascii
        $opt7 = "watchdog\x00" ascii
        $opt8 = "restarts\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_nicehash
{
    meta:
        family = "nicehash"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "NiceHash miner (Excavator / QuickMiner) running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 NiceHash 挖矿程序（Excavator / QuickMiner）：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "excavator" ascii nocase
        $id2 = "NiceHash" ascii nocase
        $id3 = "QuickMiner" ascii nocase
        $opt1 = "algorithm.add\x00" ascii
        $opt2 = "worker.add\x00" ascii
        $opt3 = "worker.free\x00" ascii
        $opt4 = "state.set\x00" ascii
        $opt5 = "miner.alive\x00" ascii
        $opt6 = "device.list\x00" ascii
        $opt7 = "nhmp\x00" ascii
        $opt8 = "nicehash.com\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_wildrig
{
    meta:
        family = "wildrig"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "WildRig Multi GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 WildRig Multi 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "WildRig" ascii nocase
        $opt1 = "--print-power\x00" ascii
        $opt2 = "--gpu-threads\x00" ascii
        $opt3 = "--opencl-threads\x00" ascii
        $opt4 = "--opencl-launch\x00" ascii
        $opt5 = "--strategy\x00" ascii
        $opt6 = "--multiple-instance\x00" ascii
        $opt7 = "--watchdog\x00" ascii
        $opt8 = "--donate-level\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}

rule minecheck_mem_bminer
{
    meta:
        family = "bminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "Bminer GPU miner running: its name with pool protocol and algorithm names in memory"
        description_zh = "正在运行的 Bminer 显卡挖矿程序：进程内存中有其名称、矿池协议方法名和算法名"

    strings:
        $id1 = "bminer" ascii nocase
        $opt1 = "-uri\x00" ascii
        $opt2 = "-api\x00" ascii
        $opt3 = "-max-temperature\x00" ascii
        $opt4 = "-nofee\x00" ascii
        $opt5 = "-devices\x00" ascii
        $opt6 = "-watchdog\x00" ascii
        $opt7 = "-logfile\x00" ascii
        $opt8 = "-dual-intensity\x00" ascii
        $p1 = "eth_submitLogin\x00" ascii
        $p2 = "eth_getWork\x00" ascii
        $p3 = "eth_submitWork\x00" ascii
        $p4 = "eth_submitHashrate\x00" ascii
        $p5 = "EthereumStratum/1.0.0\x00" ascii
        $p6 = "mining.subscribe\x00" ascii
        $p7 = "mining.authorize\x00" ascii
        $p8 = "mining.notify\x00" ascii
        $p9 = "mining.set_difficulty\x00" ascii
        $p10 = "mining.extranonce.subscribe\x00" ascii
        $p11 = "keepalived\x00" ascii
        $a1 = "ethash\x00" ascii nocase
        $a2 = "etchash\x00" ascii nocase
        $a3 = "kawpow\x00" ascii nocase
        $a4 = "autolykos2\x00" ascii nocase
        $a5 = "octopus\x00" ascii nocase
        $a6 = "kheavyhash\x00" ascii nocase
        $a7 = "equihash\x00" ascii nocase
        $a8 = "beamhash\x00" ascii nocase
        $a9 = "cuckatoo32\x00" ascii nocase
        $a10 = "firopow\x00" ascii nocase
        $a11 = "randomx\x00" ascii nocase
        $a12 = "blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 2 of ($p*) and (1 of ($a*) or 2 of ($opt*))
}
