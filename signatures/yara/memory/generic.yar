// Generic mining building blocks, memory scope: no header, size or offset tests.
// Each rule needs several protocol strings in their in-program form (\x00-terminated C
// strings, printf formats) or a live JSON-RPC login as a miner sends it; documentation of the
// stratum protocol has the method names as text but not in these forms together.

rule minecheck_mem_stratum_client
{
    meta:
        family = "generic-stratum"
        kind = "generic"
        severity = "medium"
        scope = "memory"
        description_en = "Process implements a stratum mining-protocol client: pool URL schemes and JSON-RPC method names as program strings; unknown or embedded miner"
        description_zh = "进程内含矿池通信协议（stratum）客户端：程序字符串中有矿池地址前缀和 JSON-RPC 方法名；未知或被嵌入的挖矿模块"

    strings:
        $s1 = "stratum+tcp://\x00" ascii
        $s2 = "stratum+ssl://\x00" ascii
        $s3 = "stratum+tcp" ascii wide
        $m1 = "mining.subscribe\x00" ascii
        $m2 = "mining.authorize\x00" ascii
        $m3 = "mining.notify\x00" ascii
        $m4 = "mining.submit\x00" ascii
        $m5 = "mining.set_difficulty\x00" ascii
        $m6 = "mining.extranonce.subscribe\x00" ascii
        $f1 = "\"method\": \"mining.authorize\", \"params\": [\"%s\"" ascii
        $f2 = "\"method\": \"mining.submit\", \"params\": [\"%s\"" ascii

    condition:
        // $f* are printf templates of the requests: a document about the protocol lists the
        // method names but never these templates.
        1 of ($s*) and 1 of ($f*) and 2 of ($m*)
}

rule minecheck_mem_cryptonote_stratum
{
    meta:
        family = "generic-cryptonote"
        kind = "generic"
        severity = "medium"
        scope = "memory"
        description_en = "Process speaks the CryptoNote/RandomX (Monero-style) pool protocol: keep-alive, job and seed-hash keys with CPU-mining algorithm names as program strings"
        description_zh = "进程使用 CryptoNote/RandomX（门罗币类）矿池协议：程序字符串中有保活、任务、种子哈希键名和 CPU 挖矿算法名"

    strings:
        $k1 = "keepalived\x00" ascii
        $k2 = "job_id\x00" ascii
        $k3 = "seed_hash\x00" ascii
        $k4 = "blob\x00" ascii
        $a1 = "rx/0\x00" ascii
        $a2 = "rx/wow\x00" ascii
        $a3 = "cn/r\x00" ascii
        $a4 = "cn/half\x00" ascii
        $a5 = "argon2/chukwa\x00" ascii
        $a6 = "cn-lite/1\x00" ascii
        $a7 = "rx/arq\x00" ascii
        $a8 = "cn-heavy/xhv\x00" ascii
        $c1 = "RandomX\x03\x00" ascii
        $c2 = "RandomWOW\x01\x00" ascii
        $c3 = "RandomARQ\x01\x00" ascii
        $c4 = "\"method\":\"login\",\"params\":{\"login\":\"%s\"" ascii
        $c5 = "%s/%s (" ascii

    condition:
        // $c* (RandomX Argon2 salts, printf templates) exist only inside a program.
        3 of ($k*) and 2 of ($a*) and 1 of ($c*)
}

rule minecheck_mem_stratum_login_session
{
    meta:
        family = "generic-stratum"
        kind = "generic"
        severity = "medium"
        scope = "memory"
        description_en = "Process holds a live pool login it sent: a JSON-RPC login with a wallet/user, a miner user-agent and a job from the pool"
        description_zh = "进程内存中有其发送的矿池登录请求：含钱包/用户名、挖矿程序 User-Agent 的 JSON-RPC 登录，以及矿池下发的任务"

    strings:
        $login = /"method":"login","params":\{"login":"[^"]{8,200}","pass":"[^"]{0,100}"/ ascii
        $agent = /"agent":"[A-Za-z][A-Za-z0-9._-]{1,30}\/[0-9]+\.[0-9]+\.[0-9]+ \((Windows|Linux|Macintosh|Android)/ ascii
        $job1 = "\"method\":\"job\"" ascii
        $job2 = "\"job_id\":\"" ascii
        $job3 = "\"seed_hash\":\"" ascii

    condition:
        $login and $agent and 2 of ($job*)
}
