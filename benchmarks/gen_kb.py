"""Generate a synthetic knowledge base of N valid entries, for the speed benchmarks.

The entries have the shape and size of the real ones (2–5 KiB: a title in both languages, one to
three symptoms of log-like text, Chinese and English halves with prose and identical code blocks),
so index build time, index size and search time scale as they would on a real KB of that size.
The text is drawn from a fixed vocabulary with a seeded random generator: the same arguments
always give the same files. Every generated KB passes `kb validate`.

    python benchmarks/gen_kb.py --entries 1000 --out /tmp/kb1k
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


PRODUCTS = {
    "kong": ["build", "config", "database", "plugins", "performance"],
    "nginx": ["config", "tls", "upstream", "performance"],
    "postgresql": ["install", "replication", "query", "backup"],
    "kubernetes": ["scheduling", "network", "storage", "ingress"],
    "redis": ["config", "cluster", "persistence"],
}
COMPONENT_ZH = {
    "build": "编译与安装", "config": "配置与启动", "database": "数据库与迁移", "plugins": "插件",
    "performance": "压测与性能", "tls": "证书与 TLS", "upstream": "上游与负载均衡", "install": "安装",
    "replication": "主从复制", "query": "查询", "backup": "备份与恢复", "scheduling": "调度",
    "network": "网络", "storage": "存储", "ingress": "Ingress", "cluster": "集群", "persistence": "持久化",
}

WORDS = _words("connection timeout refused reset upstream worker process module loader socket handshake "
         "certificate migration schema table column index replica primary shard cluster node pod "
         "volume mount permission denied invalid unknown directive header buffer overflow memory "
         "limit quota lease election leader follower checkpoint snapshot journal segment cache "
         "eviction latency throughput retry backoff plugin route service consumer credential token "
         "signature expired revoked resolver lookup address port listener proxy balancer health "
         "check probe liveness readiness config reload signal shutdown startup dependency version "
         "library symbol undefined reference compile link archive package repository mirror")
IDENTS = _words("to_regclass real_ip_header luarocks.loader lua_package_path proxy_pass max_connections "
          "shared_buffers wal_level kube-proxy coredns etcdserver maxmemory_policy appendfsync "
          "ssl_certificate worker_connections keepalive_timeout pg_hba.conf ngx_http_lua_module "
          "resty.core client_body_buffer_size upstream_keepalive")
ZH_WORDS = _words("连接 超时 拒绝 重置 上游 进程 模块 加载 证书 迁移 数据库 表 索引 副本 主库 集群 节点 "
            "权限 配置 指令 内存 限制 缓存 延迟 重试 插件 路由 服务 消费者 凭证 签名 过期 解析 地址 "
            "端口 监听 代理 健康检查 探针 重新加载 信号 启动 依赖 版本 编译 链接 软件包 镜像 日志 "
            "升级 回滚 参数 环境变量 网络 存储 调度 失败 报错 问题 原因 解决")
LEVELS = ("error", "crit", "warn", "alert")
CODE_LANGS = ("bash", "nginx", "ini", "yaml", "text")


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), f"`{rng.choice(IDENTS)}`")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _zh_sentence(rng: random.Random, n: int) -> str:
    parts = [rng.choice(ZH_WORDS) for _ in range(n)]
    if rng.random() < 0.5:
        parts.insert(rng.randrange(len(parts)), f" `{rng.choice(IDENTS)}` ")
    return "".join(parts).strip() + "。"


def _log_line(rng: random.Random, i: int, k: int) -> str:
    ident = rng.choice(IDENTS)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
    src = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}.c:{rng.randint(10, 2000)}"
    day, hour, minute = rng.randint(10, 28), rng.randint(10, 23), rng.randint(10, 59)
    stamp = f"2019/0{rng.randint(1, 9)}/{day} {hour}:{minute}:0{rng.randint(0, 9)}"
    return (f"{stamp} [{rng.choice(LEVELS)}] {rng.randint(100, 99999)}#0: *{rng.randint(1, 99999)} {ident} {words} "
            f"(E{i:05d}-{k}) in {src}")


def _code(rng: random.Random) -> str:
    lang = rng.choice(CODE_LANGS)
    lines = [f"{rng.choice(IDENTS)} {rng.choice(WORDS)} {rng.randint(1, 9999)};" for _ in range(rng.randint(2, 6))]
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def entry(rng: random.Random, i: int, product: str, component: str) -> tuple[str, str]:
    entry_id = f"{product}-{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:05d}"
    title_en = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 8))).capitalize() + f" ({i})"
    title_zh = "".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(3, 6))) + f"（{i}）"
    symptoms = []
    for k in range(rng.randint(1, 3)):
        lines = [_log_line(rng, i, k) for _ in range(rng.randint(1, 4))]
        block = "\n".join(f"      {line}" for line in lines)
        symptoms.append(f"  - command: {product} start\n    output: |\n{block}\n")
    codes = [_code(rng) for _ in range(rng.randint(1, 3))]

    def half(lang: str) -> str:
        if lang == "zh":
            para = lambda: "".join(_zh_sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 4)))  # noqa: E731
            heads = ("原因", "解决", "备注")
        else:
            para = lambda: " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 4)))  # noqa: E731
            heads = ("Cause", "Fix", "Notes")
        fix = para() + "\n\n" + "\n\n".join(codes) + "\n\n" + para()
        return (f"<!-- lang: {lang} -->\n## {heads[0]}\n\n{para()}\n\n"
                f"## {heads[1]}\n\n{fix}\n\n## {heads[2]}\n\n{para()}\n")

    version = f"{rng.randint(0, 14)}.{rng.randint(0, 20)}"
    text = (
        "---\n"
        f"id: {entry_id}\n"
        f"title:\n  zh: {title_zh}\n  en: \"{title_en}\"\n"
        f"product: {product}\ncomponent: {component}\n"
        "symptoms:\n" + "".join(symptoms) +
        f"environment:\n  {product}: \"<{version}\"\n"
        f"status: {rng.choice(('verified', 'draft'))}\n"
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}-{i}]\n"
        "related: []\n"
        "references:\n  - url: https://example.org/docs\n    title: Example documentation\n"
        "created: 2019-03-01\nupdated: 2020-06-15\n"
        "---\n\n" + half("zh") + "\n" + half("en")
    )
    return entry_id, text


def products_yaml() -> str:
    out = ["# Synthetic products for benchmarks (benchmarks/gen_kb.py)."]
    for product, components in PRODUCTS.items():
        out += [f"{product}:", f"  name: {product.capitalize()}", "  description:",
                f"    zh: 合成的 {product} 条目", f"    en: Synthetic {product} entries", "  components:"]
        for comp in components:
            out += [f"    {comp}:", f"      zh: {COMPONENT_ZH[comp]}", f"      en: {comp.capitalize()}"]
    return "\n".join(out) + "\n"


def generate(out: Path, n: int, seed: int = 1) -> Path:
    """Write a KB of ``n`` entries at ``out`` (replacing its ``entries/``) and return ``out``."""
    rng = random.Random(seed)
    entries = out / "entries"
    if entries.exists():
        shutil.rmtree(entries)
    entries.mkdir(parents=True)
    (entries / "products.yml").write_text(products_yaml(), encoding="utf-8")
    names = list(PRODUCTS)
    for i in range(n):
        product = names[i % len(names)]
        component = rng.choice(PRODUCTS[product])
        entry_id, text = entry(rng, i, product, component)
        folder = entries / product
        folder.mkdir(exist_ok=True)
        (folder / f"{entry_id}.md").write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic KB of valid entries.")
    parser.add_argument("--entries", type=int, default=1000, help="number of entries (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (its entries/ is replaced)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.entries < 0:
        parser.error("--entries must be >= 0")
    generate(args.out, args.entries, args.seed)
    print(f"{args.entries} entries written to {args.out / 'entries'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
