// Generic mining building blocks, file scope: an executable that implements a stratum mining
// client, and a shell dropper script that installs a miner and removes competitors.

rule minecheck_file_stratum_client
{
    meta:
        family = "generic-stratum"
        kind = "generic"
        severity = "medium"
        scope = "file"
        description_en = "Executable with a stratum mining-protocol client (pool URL schemes and JSON-RPC method names); unknown miner or miner embedded in other software"
        description_zh = "含矿池通信协议（stratum）客户端的可执行文件（矿池地址前缀和 JSON-RPC 方法名）：未知挖矿程序或被嵌入其他软件的挖矿模块"

    strings:
        $s1 = "stratum+tcp://" ascii wide
        $s2 = "stratum+ssl://" ascii wide
        $s3 = "stratum+tls://" ascii wide
        $s4 = "stratum2+tcp://" ascii wide
        $m1 = "mining.subscribe" ascii wide
        $m2 = "mining.authorize" ascii wide
        $m3 = "mining.notify" ascii wide
        $m4 = "mining.submit" ascii wide
        $m5 = "mining.set_difficulty" ascii wide
        $m6 = "mining.extranonce.subscribe" ascii wide
        $c1 = "keepalived" ascii wide
        $c2 = "\"method\":\"login\"" ascii wide
        $c3 = "\"method\":\"submit\"" ascii wide
        $c4 = "seed_hash" ascii wide
        $c5 = "\"agent\":\"" ascii wide

    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF)
        and filesize < 128MB
        and 1 of ($s*)
        and (3 of ($m*) or 3 of ($c*))
}

rule minecheck_file_miner_dropper_script
{
    meta:
        family = "miner-dropper"
        kind = "malware"
        severity = "high"
        scope = "file"
        description_en = "Shell script that installs a cryptocurrency miner and hides it or kills competing miners (typical of mining malware on Linux servers)"
        description_zh = "安装挖矿程序并隐藏自身或结束其他挖矿进程的 Shell 脚本（Linux 服务器挖矿木马的典型特征）"

    strings:
        $miner1 = "xmrig" ascii nocase
        $miner2 = "stratum+tcp://" ascii
        $miner3 = "--donate-level" ascii
        $miner4 = "minerd" ascii
        $miner5 = "kdevtmpfsi" ascii
        $miner6 = "kinsing" ascii
        $miner7 = "\"pools\"" ascii
        $hide1 = "/etc/ld.so.preload" ascii
        $hide2 = "chattr -i" ascii
        $hide3 = "chattr +i" ascii
        $hide4 = "crontab -r" ascii
        $hide5 = "history -c" ascii
        $hide6 = "pkill -f" ascii
        $hide7 = "killall -9" ascii
        $hide8 = "ufw disable" ascii
        $hide9 = "setenforce 0" ascii
        $hide10 = "/dev/shm/" ascii
        $hide11 = "nr_hugepages" ascii
        $hide12 = "echo 0 > /proc/sys/kernel/nmi_watchdog" ascii
        $fetch1 = "curl " ascii
        $fetch2 = "wget " ascii

    condition:
        uint16(0) == 0x2123 and filesize < 2MB
        and 2 of ($miner*) and 3 of ($hide*) and 1 of ($fetch*)
}
