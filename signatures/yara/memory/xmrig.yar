// XMRig and its forks, memory scope (a running process, whatever its file looks like:
// renamed, UPX-packed, encrypted on disk, fileless, config-only).
//
// Memory rules never test headers, filesize or offsets: none exist in a process's memory.
// They require several independent strings in the form they take inside the program's
// loaded image: option-table names as C strings (terminated by \x00), printf formats of
// the user-agent, the donation pool host, the RandomX Argon2 salt, the stratum method name.
// A document, a web page or an editor showing xmrig's README holds "--donate-level" as text
// but never "cpu-max-threads-hint\x00" together with "%s/%s (Linux " and "keepalived\x00".

rule minecheck_mem_xmrig
{
    meta:
        family = "xmrig"
        kind = "miner_software"
        severity = "high"
        scope = "memory"
        description_en = "XMRig miner (or a fork) running: its option table, user-agent format and stratum keep-alive method are in this process's memory"
        description_zh = "正在运行的 XMRig 挖矿程序（或其衍生版本）：进程内存中有其选项表、User-Agent 格式串和矿池保活方法名"

    strings:
        $opt1 = "cpu-max-threads-hint\x00" ascii
        $opt2 = "randomx-1gb-pages\x00" ascii
        $opt3 = "randomx-wrmsr\x00" ascii
        $opt4 = "cpu-memory-pool\x00" ascii
        $opt5 = "donate-over-proxy\x00" ascii
        $opt6 = "randomx-no-rdmsr\x00" ascii
        $opt7 = "pause-on-battery\x00" ascii
        $opt8 = "donate-level\x00" ascii
        $opt9 = "randomx-cache-qos\x00" ascii
        $opt10 = "cpu-no-yield\x00" ascii
        $ua1 = "%s/%s (Windows NT %lu.%lu" ascii
        $ua2 = "%s/%s (Linux " ascii
        $ua3 = "%s/%s (Macintosh; " ascii
        $ua4 = ") libuv/%s" ascii
        $don1 = "donate.v2.xmrig.com\x00" ascii
        $don2 = "donate.ssl.xmrig.com\x00" ascii
        $salt1 = "RandomX\x03\x00" ascii
        $salt2 = "RandomWOW\x01\x00" ascii
        $salt3 = "RandomARQ\x01\x00" ascii
        $net1 = "keepalived\x00" ascii
        $net2 = "seed_hash\x00" ascii

    condition:
        3 of ($opt*) and 1 of ($ua*, $don*, $salt*) and 1 of ($net*)
}
