// GPU miners (and multi-algorithm CPU/GPU miners), file scope: anchored on an executable
// header and a size bound, so documents and scripts that mention these miners never match.
// Written from the miners' documented command-line options and stratum protocols.

rule minecheck_file_trex
{
    meta:
        family = "t-rex"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "T-Rex NVIDIA GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "T-Rex NVIDIA 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "T-Rex" ascii
        $id2 = "t-rex" ascii
        $id3 = "trex" ascii nocase
        $opt1 = "api-bind-http" ascii
        $opt2 = "api-bind-telnet" ascii
        $opt3 = "lhr-tune" ascii
        $opt4 = "lhr-autotune-mode" ascii
        $opt5 = "watchdog-exit-mode" ascii
        $opt6 = "no-watchdog" ascii
        $opt7 = "kernel" ascii
        $opt8 = "pci-indexing" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_nbminer
{
    meta:
        family = "nbminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "NBMiner GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "NBMiner 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "NBMiner" ascii nocase
        $opt1 = "lhr-mode" ascii
        $opt2 = "cuda-devices" ascii
        $opt3 = "no-watchdog" ascii
        $opt4 = "enable-dag-cache" ascii
        $opt5 = "cclock" ascii
        $opt6 = "mclock" ascii
        $opt7 = "fee" ascii
        $opt8 = "proxy" ascii
        $opt9 = "platform" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_lolminer
{
    meta:
        family = "lolminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "lolMiner GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "lolMiner 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "lolMiner" ascii nocase
        $opt1 = "dualmode" ascii
        $opt2 = "dualpool" ascii
        $opt3 = "dualuser" ascii
        $opt4 = "lhrtune" ascii
        $opt5 = "ethstratum" ascii
        $opt6 = "apiport" ascii
        $opt7 = "keepfree" ascii
        $opt8 = "watchdog" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_gminer
{
    meta:
        family = "gminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "GMiner GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "GMiner 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "GMiner" ascii
        $id2 = "gminer" ascii
        $opt1 = "dag_mode" ascii
        $opt2 = "electricity_cost" ascii
        $opt3 = "templimit" ascii
        $opt4 = "cuda_devices" ascii
        $opt5 = "opencl_devices" ascii
        $opt6 = "watchdog" ascii
        $opt7 = "pec" ascii
        $opt8 = "proto" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_phoenixminer
{
    meta:
        family = "phoenixminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "PhoenixMiner GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "PhoenixMiner 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "PhoenixMiner" ascii nocase
        $opt1 = "-epool" ascii
        $opt2 = "-ewal" ascii
        $opt3 = "-epsw" ascii
        $opt4 = "-eworker" ascii
        $opt5 = "-dagrestart" ascii
        $opt6 = "-rvram" ascii
        $opt7 = "-clKernel" ascii
        $opt8 = "-stales" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_teamredminer
{
    meta:
        family = "teamredminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "TeamRedMiner AMD GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "TeamRedMiner AMD 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "teamredminer" ascii nocase
        $opt1 = "--eth_config" ascii
        $opt2 = "--bus_reorder" ascii
        $opt3 = "--no_gpu_monitor" ascii
        $opt4 = "--watchdog_script" ascii
        $opt5 = "--pool_force_ensub" ascii
        $opt6 = "--eth_dag_cache" ascii
        $opt7 = "--kawpow_config" ascii
        $opt8 = "--api_listen" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_srbminer
{
    meta:
        family = "srbminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "SRBMiner-MULTI CPU/GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "SRBMiner-MULTI CPU/显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "SRBMiner" ascii nocase
        $opt1 = "--disable-gpu" ascii
        $opt2 = "--disable-cpu" ascii
        $opt3 = "--cpu-threads" ascii
        $opt4 = "--gpu-boost" ascii
        $opt5 = "--give-up-limit" ascii
        $opt6 = "--main-pool-reconnect" ascii
        $opt7 = "--api-enable" ascii
        $opt8 = "--algorithm" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_ethminer
{
    meta:
        family = "ethminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "ethminer Ethash GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "ethminer Ethash 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "ethminer" ascii nocase
        $opt1 = "--farm-recheck" ascii
        $opt2 = "--farm-retries" ascii
        $opt3 = "--report-hashrate" ascii
        $opt4 = "--cl-global-work" ascii
        $opt5 = "--cuda-grid-size" ascii
        $opt6 = "--display-interval" ascii
        $opt7 = "--HWMON" ascii
        $opt8 = "--cl-local-work" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_nanominer
{
    meta:
        family = "nanominer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "nanominer CPU/GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "nanominer CPU/显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "nanominer" ascii nocase
        $opt1 = "rigName" ascii
        $opt2 = "rigPassword" ascii
        $opt3 = "pool1" ascii
        $opt4 = "pool2" ascii
        $opt5 = "wallet" ascii
        $opt6 = "sortPools" ascii
        $opt7 = "watchdog" ascii
        $opt8 = "restarts" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_nicehash
{
    meta:
        family = "nicehash"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "NiceHash miner (Excavator / QuickMiner): its name, command-line options and pool protocol strings"
        description_zh = "NiceHash 挖矿程序（Excavator / QuickMiner）：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "excavator" ascii nocase
        $id2 = "NiceHash" ascii nocase
        $id3 = "QuickMiner" ascii nocase
        $opt1 = "algorithm.add" ascii
        $opt2 = "worker.add" ascii
        $opt3 = "worker.free" ascii
        $opt4 = "state.set" ascii
        $opt5 = "miner.alive" ascii
        $opt6 = "device.list" ascii
        $opt7 = "nhmp" ascii
        $opt8 = "nicehash.com" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_wildrig
{
    meta:
        family = "wildrig"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "WildRig Multi GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "WildRig Multi 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "WildRig" ascii nocase
        $opt1 = "--print-power" ascii
        $opt2 = "--gpu-threads" ascii
        $opt3 = "--opencl-threads" ascii
        $opt4 = "--opencl-launch" ascii
        $opt5 = "--strategy" ascii
        $opt6 = "--multiple-instance" ascii
        $opt7 = "--watchdog" ascii
        $opt8 = "--donate-level" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 2 of ($opt*) and 2 of ($p*)
}

rule minecheck_file_bminer
{
    meta:
        family = "bminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "Bminer GPU miner: its name, command-line options and pool protocol strings"
        description_zh = "Bminer 显卡挖矿程序：含其名称、命令行选项和矿池协议字符串"

    strings:
        $id1 = "bminer" ascii nocase
        $opt1 = "-uri" ascii
        $opt2 = "-api" ascii
        $opt3 = "-max-temperature" ascii
        $opt4 = "-nofee" ascii
        $opt5 = "-devices" ascii
        $opt6 = "-watchdog" ascii
        $opt7 = "-logfile" ascii
        $opt8 = "-dual-intensity" ascii
        $p1 = "eth_submitLogin" ascii
        $p2 = "eth_getWork" ascii
        $p3 = "eth_submitWork" ascii
        $p4 = "eth_submitHashrate" ascii
        $p5 = "EthereumStratum/1.0.0" ascii
        $p6 = "mining.subscribe" ascii
        $p7 = "mining.authorize" ascii
        $p8 = "mining.notify" ascii
        $p9 = "stratum+tcp" ascii
        $p10 = "stratum+ssl" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F)
        and filesize < 128MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($p*)
}
