// GPU miners, memory scope: no header, size or offset tests. Each rule needs the miner's
// name, 3 protocol method names, 2 algorithm names and 2 option names, each as a
// separate C string (NUL before and after). No printf template or constant of these
// programs is known to us, and a program that holds a GPU miner's documentation word by
// word (an editor, a browser) can hold the same words as separate strings: so these
// rules are severity LOW (weak evidence, "suspicious" at most on their own). The
// xmrig, cpuminer, cgminer and xmr-stak memory rules also require printf templates or
// constants that no document contains, and are strong.

rule minecheck_mem_trex
{
    meta:
        family = "t-rex"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "T-Rex NVIDIA GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 T-Rex NVIDIA 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "T-Rex" ascii
        $id2 = "t-rex" ascii
        $id3 = "trex" ascii nocase
        $opt1 = "\x00api-bind-http\x00" ascii
        $opt2 = "\x00api-bind-telnet\x00" ascii
        $opt3 = "\x00lhr-tune\x00" ascii
        $opt4 = "\x00lhr-autotune-mode\x00" ascii
        $opt5 = "\x00watchdog-exit-mode\x00" ascii
        $opt6 = "\x00no-watchdog\x00" ascii
        $opt7 = "\x00kernel\x00" ascii
        $opt8 = "\x00pci-indexing\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_nbminer
{
    meta:
        family = "nbminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "NBMiner GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 NBMiner 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "NBMiner" ascii nocase
        $opt1 = "\x00lhr-mode\x00" ascii
        $opt2 = "\x00cuda-devices\x00" ascii
        $opt3 = "\x00no-watchdog\x00" ascii
        $opt4 = "\x00enable-dag-cache\x00" ascii
        $opt5 = "\x00cclock\x00" ascii
        $opt6 = "\x00mclock\x00" ascii
        $opt7 = "\x00fee\x00" ascii
        $opt8 = "\x00proxy\x00" ascii
        $opt9 = "\x00platform\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_lolminer
{
    meta:
        family = "lolminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "lolMiner GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 lolMiner 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "lolMiner" ascii nocase
        $opt1 = "\x00dualmode\x00" ascii
        $opt2 = "\x00dualpool\x00" ascii
        $opt3 = "\x00dualuser\x00" ascii
        $opt4 = "\x00lhrtune\x00" ascii
        $opt5 = "\x00ethstratum\x00" ascii
        $opt6 = "\x00apiport\x00" ascii
        $opt7 = "\x00keepfree\x00" ascii
        $opt8 = "\x00watchdog\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_gminer
{
    meta:
        family = "gminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "GMiner GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 GMiner 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "GMiner" ascii
        $id2 = "gminer" ascii
        $opt1 = "\x00dag_mode\x00" ascii
        $opt2 = "\x00electricity_cost\x00" ascii
        $opt3 = "\x00templimit\x00" ascii
        $opt4 = "\x00cuda_devices\x00" ascii
        $opt5 = "\x00opencl_devices\x00" ascii
        $opt6 = "\x00watchdog\x00" ascii
        $opt7 = "\x00pec\x00" ascii
        $opt8 = "\x00proto\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_phoenixminer
{
    meta:
        family = "phoenixminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "PhoenixMiner GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 PhoenixMiner 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "PhoenixMiner" ascii nocase
        $opt1 = "\x00-epool\x00" ascii
        $opt2 = "\x00-ewal\x00" ascii
        $opt3 = "\x00-epsw\x00" ascii
        $opt4 = "\x00-eworker\x00" ascii
        $opt5 = "\x00-dagrestart\x00" ascii
        $opt6 = "\x00-rvram\x00" ascii
        $opt7 = "\x00-clKernel\x00" ascii
        $opt8 = "\x00-stales\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_teamredminer
{
    meta:
        family = "teamredminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "TeamRedMiner AMD GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 TeamRedMiner AMD 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "teamredminer" ascii nocase
        $opt1 = "\x00--eth_config\x00" ascii
        $opt2 = "\x00--bus_reorder\x00" ascii
        $opt3 = "\x00--no_gpu_monitor\x00" ascii
        $opt4 = "\x00--watchdog_script\x00" ascii
        $opt5 = "\x00--pool_force_ensub\x00" ascii
        $opt6 = "\x00--eth_dag_cache\x00" ascii
        $opt7 = "\x00--kawpow_config\x00" ascii
        $opt8 = "\x00--api_listen\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_srbminer
{
    meta:
        family = "srbminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "SRBMiner-MULTI CPU/GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 SRBMiner-MULTI CPU/显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "SRBMiner" ascii nocase
        $opt1 = "\x00--disable-gpu\x00" ascii
        $opt2 = "\x00--disable-cpu\x00" ascii
        $opt3 = "\x00--cpu-threads\x00" ascii
        $opt4 = "\x00--gpu-boost\x00" ascii
        $opt5 = "\x00--give-up-limit\x00" ascii
        $opt6 = "\x00--main-pool-reconnect\x00" ascii
        $opt7 = "\x00--api-enable\x00" ascii
        $opt8 = "\x00--algorithm\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_ethminer
{
    meta:
        family = "ethminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "ethminer Ethash GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 ethminer Ethash 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "ethminer" ascii nocase
        $opt1 = "\x00--farm-recheck\x00" ascii
        $opt2 = "\x00--farm-retries\x00" ascii
        $opt3 = "\x00--report-hashrate\x00" ascii
        $opt4 = "\x00--cl-global-work\x00" ascii
        $opt5 = "\x00--cuda-grid-size\x00" ascii
        $opt6 = "\x00--display-interval\x00" ascii
        $opt7 = "\x00--HWMON\x00" ascii
        $opt8 = "\x00--cl-local-work\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_nanominer
{
    meta:
        family = "nanominer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "nanominer CPU/GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 nanominer CPU/显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "nanominer" ascii nocase
        $opt1 = "\x00rigName\x00" ascii
        $opt2 = "\x00rigPassword\x00" ascii
        $opt3 = "\x00pool1\x00" ascii
        $opt4 = "\x00pool2\x00" ascii
        $opt5 = "\x00wallet\x00" ascii
        $opt6 = "\x00sortPools\x00" ascii
        $opt7 = "\x00watchdog\x00" ascii
        $opt8 = "\x00restarts\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_nicehash
{
    meta:
        family = "nicehash"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "NiceHash miner (Excavator / QuickMiner) running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 NiceHash 挖矿程序（Excavator / QuickMiner）（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "excavator" ascii nocase
        $id2 = "NiceHash" ascii nocase
        $id3 = "QuickMiner" ascii nocase
        $opt1 = "\x00algorithm.add\x00" ascii
        $opt2 = "\x00worker.add\x00" ascii
        $opt3 = "\x00worker.free\x00" ascii
        $opt4 = "\x00state.set\x00" ascii
        $opt5 = "\x00miner.alive\x00" ascii
        $opt6 = "\x00device.list\x00" ascii
        $opt7 = "\x00nhmp\x00" ascii
        $opt8 = "\x00nicehash.com\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_wildrig
{
    meta:
        family = "wildrig"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "WildRig Multi GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 WildRig Multi 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "WildRig" ascii nocase
        $opt1 = "\x00--print-power\x00" ascii
        $opt2 = "\x00--gpu-threads\x00" ascii
        $opt3 = "\x00--opencl-threads\x00" ascii
        $opt4 = "\x00--opencl-launch\x00" ascii
        $opt5 = "\x00--strategy\x00" ascii
        $opt6 = "\x00--multiple-instance\x00" ascii
        $opt7 = "\x00--watchdog\x00" ascii
        $opt8 = "\x00--donate-level\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}

rule minecheck_mem_bminer
{
    meta:
        family = "bminer"
        kind = "miner_software"
        severity = "low"
        scope = "memory"
        description_en = "Bminer GPU miner running (weak evidence): its name with pool protocol, algorithm and option names in memory"
        description_zh = "可能正在运行的 Bminer 显卡挖矿程序（弱证据）：进程内存中有其名称、矿池协议方法名、算法名和选项名"

    strings:
        $id1 = "bminer" ascii nocase
        $opt1 = "\x00-uri\x00" ascii
        $opt2 = "\x00-api\x00" ascii
        $opt3 = "\x00-max-temperature\x00" ascii
        $opt4 = "\x00-nofee\x00" ascii
        $opt5 = "\x00-devices\x00" ascii
        $opt6 = "\x00-watchdog\x00" ascii
        $opt7 = "\x00-logfile\x00" ascii
        $opt8 = "\x00-dual-intensity\x00" ascii
        $p1 = "\x00eth_submitLogin\x00" ascii
        $p2 = "\x00eth_getWork\x00" ascii
        $p3 = "\x00eth_submitWork\x00" ascii
        $p4 = "\x00eth_submitHashrate\x00" ascii
        $p5 = "\x00EthereumStratum/1.0.0\x00" ascii
        $p6 = "\x00mining.subscribe\x00" ascii
        $p7 = "\x00mining.authorize\x00" ascii
        $p8 = "\x00mining.notify\x00" ascii
        $p9 = "\x00mining.set_difficulty\x00" ascii
        $p10 = "\x00mining.extranonce.subscribe\x00" ascii
        $p11 = "\x00keepalived\x00" ascii
        $a1 = "\x00ethash\x00" ascii nocase
        $a2 = "\x00etchash\x00" ascii nocase
        $a3 = "\x00kawpow\x00" ascii nocase
        $a4 = "\x00autolykos2\x00" ascii nocase
        $a5 = "\x00octopus\x00" ascii nocase
        $a6 = "\x00kheavyhash\x00" ascii nocase
        $a7 = "\x00equihash\x00" ascii nocase
        $a8 = "\x00beamhash\x00" ascii nocase
        $a9 = "\x00cuckatoo32\x00" ascii nocase
        $a10 = "\x00firopow\x00" ascii nocase
        $a11 = "\x00randomx\x00" ascii nocase
        $a12 = "\x00blake3\x00" ascii nocase

    condition:
        1 of ($id*) and 3 of ($p*) and 2 of ($a*) and 2 of ($opt*)
}
