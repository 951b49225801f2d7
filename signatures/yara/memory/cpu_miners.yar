// CPU miners other than XMRig, memory scope: no header, size or offset tests; each rule
// needs the program's identity, option names as C strings (\x00-terminated) and stratum
// strings in their in-program form, which a document about the miner does not hold.

rule minecheck_mem_cpuminer_family
{
    meta:
        family = "cpuminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "cpuminer, cpuminer-opt or ccminer running: option table and stratum request formats in memory"
        description_zh = "正在运行的 cpuminer、cpuminer-opt 或 ccminer：进程内存中有其选项表和矿池协议请求格式"

    strings:
        $id1 = "cpuminer" ascii nocase
        $id2 = "ccminer" ascii nocase
        $id3 = "minerd" ascii
        $opt1 = "no-stratum\x00" ascii
        $opt2 = "no-getwork\x00" ascii
        $opt3 = "no-longpoll\x00" ascii
        $opt4 = "coinbase-addr\x00" ascii
        $opt5 = "coinbase-sig\x00" ascii
        $opt6 = "no-gbt\x00" ascii
        $opt7 = "scantime\x00" ascii
        $rpc1 = "\"method\": \"mining.authorize\", \"params\": [\"%s\"" ascii
        $rpc2 = "\"method\": \"mining.submit\", \"params\": [\"%s\"" ascii
        $rpc3 = "mining.set_difficulty\x00" ascii
        $rpc4 = "mining.notify\x00" ascii

    condition:
        // $rpc1/$rpc2 are printf templates: only a program holds them, never a document.
        1 of ($id*) and 2 of ($opt*) and 1 of ($rpc1, $rpc2) and 1 of ($rpc3, $rpc4)
}

rule minecheck_mem_cgminer_family
{
    meta:
        family = "cgminer"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "cgminer or bfgminer running: option table and stratum method names in memory"
        description_zh = "正在运行的 cgminer 或 bfgminer：进程内存中有其选项表和矿池协议方法名"

    strings:
        $id1 = "cgminer" ascii nocase
        $id2 = "bfgminer" ascii nocase
        $opt1 = "--failover-only\x00" ascii
        $opt2 = "--load-balance\x00" ascii
        $opt3 = "--round-robin\x00" ascii
        $opt4 = "--api-listen\x00" ascii
        $opt5 = "--api-allow\x00" ascii
        $opt6 = "--no-submit-stale\x00" ascii
        $rpc1 = "mining.subscribe\x00" ascii
        $rpc2 = "mining.authorize\x00" ascii
        $rpc3 = "mining.notify\x00" ascii
        $rpc4 = "mining.set_difficulty\x00" ascii
        $fmt1 = "\"method\": \"mining.authorize\", \"params\": [\"%s\"" ascii
        $fmt2 = "\"method\": \"mining.submit\", \"params\": [\"%s\"" ascii

    condition:
        // $fmt* are printf templates of the request a miner sends: never in a document.
        1 of ($id*) and 2 of ($opt*) and 1 of ($fmt*) and 1 of ($rpc*)
}

rule minecheck_mem_xmr_stak
{
    meta:
        family = "xmr-stak"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "xmr-stak / xmr-stak-rx running: its pool configuration keys and stratum method names in memory"
        description_zh = "正在运行的 xmr-stak / xmr-stak-rx：进程内存中有其矿池配置键名和矿池协议方法名"

    strings:
        $id1 = "xmr-stak" ascii nocase
        $k1 = "pool_address\x00" ascii
        $k2 = "wallet_address\x00" ascii
        $k3 = "use_nicehash\x00" ascii
        $k4 = "pool_weight\x00" ascii
        $k5 = "pool_password\x00" ascii
        $net1 = "keepalived\x00" ascii
        $net2 = "job_id\x00" ascii
        $fmt1 = "\"method\":\"login\",\"params\":{\"login\":\"%s\"" ascii
        $fmt2 = "\"method\":\"submit\",\"params\":{\"id\":\"%s\"" ascii
        $fmt3 = "\"method\":\"keepalived\",\"params\":{\"id\":\"%s\"" ascii

    condition:
        // $fmt* are printf templates of the JSON-RPC requests: never in a document.
        $id1 and 3 of ($k*) and 1 of ($fmt*) and 1 of ($net*)
}
