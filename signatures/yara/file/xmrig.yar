// XMRig and its forks (XMRigCC, MoneroOcean's xmrig, C3Pool/other rebrands), file scope.
// File rules may test the executable header and a size bound: a README, a source file or a
// shell history that mentions xmrig has no MZ/ELF/Mach-O header and never matches.

rule minecheck_file_xmrig
{
    meta:
        family = "xmrig"
        kind = "miner_software"
        severity = "high"
        scope = "file"
        description_en = "XMRig CPU/GPU miner (or a fork): its option table, user-agent and donation strings"
        description_zh = "XMRig 挖矿程序（或其衍生版本）：含其命令行选项表、User-Agent 和捐赠矿池字符串"

    strings:
        $opt1 = "cpu-max-threads-hint" ascii
        $opt2 = "randomx-1gb-pages" ascii
        $opt3 = "randomx-wrmsr" ascii
        $opt4 = "cpu-memory-pool" ascii
        $opt5 = "donate-over-proxy" ascii
        $opt6 = "randomx-no-rdmsr" ascii
        $opt7 = "pause-on-battery" ascii
        $opt8 = "donate-level" ascii
        $opt9 = "randomx-cache-qos" ascii
        $opt10 = "cpu-no-yield" ascii
        $ua1 = "%s/%s (Windows NT %lu.%lu" ascii
        $ua2 = "%s/%s (Linux " ascii
        $ua3 = "%s/%s (Macintosh; " ascii
        $ua4 = ") libuv/%s" ascii
        $don1 = "donate.v2.xmrig.com" ascii
        $don2 = "donate.ssl.xmrig.com" ascii
        $id1 = "xmrig.com/docs/algorithms" ascii
        $id2 = "XMRig" ascii
        $id3 = "XMRIG_" ascii
        $salt = "RandomX\x03" ascii

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF
            or uint32(0) == 0xCFFAEDFE)
        and filesize < 64MB
        and (
            (3 of ($opt*) and 1 of ($ua*, $don*, $id1, $salt))
            or (1 of ($don*) and 1 of ($id*))
            or (5 of ($opt*) and $id2)
        )
}
