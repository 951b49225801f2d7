// CPU miners other than XMRig: cpuminer / cpuminer-opt / ccminer (one family tree, they
// share cpuminer's option table and stratum code), cgminer / bfgminer, xmr-stak.
// File scope: anchored on an executable header and a size bound.

rule minecheck_file_cpuminer_family
{
    meta:
        family = "cpuminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "cpuminer, cpuminer-opt or ccminer: cpuminer's option table and stratum request formats"
        description_zh = "cpuminer、cpuminer-opt 或 ccminer 挖矿程序：含 cpuminer 的选项表和矿池协议请求格式"

    strings:
        $id1 = "cpuminer" ascii nocase
        $id2 = "ccminer" ascii nocase
        $id3 = "minerd" ascii
        $opt1 = "no-stratum" ascii
        $opt2 = "no-getwork" ascii
        $opt3 = "no-longpoll" ascii
        $opt4 = "coinbase-addr" ascii
        $opt5 = "coinbase-sig" ascii
        $opt6 = "no-gbt" ascii
        $opt7 = "scantime" ascii
        $opt8 = "cpu-priority" ascii
        $rpc1 = "\"method\": \"mining.authorize\", \"params\": [\"%s\"" ascii
        $rpc2 = "\"method\": \"mining.submit\", \"params\": [\"%s\"" ascii
        $rpc3 = "\"method\": \"mining.subscribe\"" ascii
        $rpc4 = "mining.set_difficulty" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF)
        and filesize < 64MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($rpc*)
}

rule minecheck_file_cgminer_family
{
    meta:
        family = "cgminer"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "cgminer or bfgminer (ASIC/FPGA/GPU Bitcoin miner)"
        description_zh = "cgminer 或 bfgminer 挖矿程序（ASIC/FPGA/GPU 比特币挖矿）"

    strings:
        $id1 = "cgminer" ascii nocase
        $id2 = "bfgminer" ascii nocase
        $opt1 = "--failover-only" ascii
        $opt2 = "--load-balance" ascii
        $opt3 = "--round-robin" ascii
        $opt4 = "--api-listen" ascii
        $opt5 = "--api-allow" ascii
        $opt6 = "--no-submit-stale" ascii
        $opt7 = "--scan-time" ascii
        $opt8 = "--balance" ascii
        $rpc1 = "mining.subscribe" ascii
        $rpc2 = "mining.authorize" ascii
        $rpc3 = "mining.notify" ascii
        $rpc4 = "stratum+tcp://" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF)
        and filesize < 64MB
        and 1 of ($id*) and 3 of ($opt*) and 2 of ($rpc*)
}

rule minecheck_file_xmr_stak
{
    meta:
        family = "xmr-stak"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "xmr-stak / xmr-stak-rx Monero miner"
        description_zh = "xmr-stak / xmr-stak-rx 门罗币挖矿程序"

    strings:
        $id1 = "xmr-stak" ascii nocase
        $id2 = "fireice-uk" ascii
        $k1 = "pool_address" ascii
        $k2 = "wallet_address" ascii
        $k3 = "use_nicehash" ascii
        $k4 = "pool_weight" ascii
        $k5 = "pool_password" ascii
        $k6 = "pool_list" ascii
        $k7 = "--noUAC" ascii
        $k8 = "--currency" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF)
        and filesize < 64MB
        and 1 of ($id*) and 4 of ($k*)
}
