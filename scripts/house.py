#!/usr/bin/env python3
"""The house rules, checked: no source file over 800 lines, no `too_many_lines` or
`too_many_arguments` allowance, no `thread_local!` in coroot-tools, and no circle between the
files of a crate (file A naming an item of file B while B names one of A, directly or through
others). Prints each breach and exits 1 when there is one.

A file depends on another when it names a path into it (`crate::a::b`, `super::x`, `self::y`),
in a `use` or inline. A module's `mod` declarations are not dependencies: declaring a child is
how Rust lays files out, not a use of it.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_LINES = 800
PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*?)\}", re.S)


def module_of(src: pathlib.Path, f: pathlib.Path) -> tuple:
    parts = list(f.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def test_free(text: str) -> str:
    """The file without its `#[cfg(test)]` module: tests may reach anywhere."""
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def paths_in(text: str) -> list:
    out = []
    for m in GROUP.finditer(text):
        base = [m.group(1)] + [p for p in m.group(2).split("::") if p]
        for item in re.split(r"[,\s]+", m.group(3)):
            item = item.strip().split(" as ")[0]
            if item and re.match(r"^[A-Za-z_][A-Za-z0-9_:]*$", item):
                out.append(base + item.split("::"))
    for m in PATH.finditer(GROUP.sub("", text)):
        out.append([m.group(1)] + [p for p in m.group(2).split("::") if p])
    return out


def resolve(path: list, here: tuple, is_mod_file: bool, modules: dict):
    head, rest = path[0], path[1:]
    if head == "crate":
        base = ()
    elif head == "self":
        base = here
    else:  # super
        base = here[:-1]
    parts = list(rest)
    while parts and parts[0] == "super":
        base = base[:-1]
        parts = parts[1:]
    best = None
    for i in range(len(parts) + 1):
        cand = base + tuple(parts[:i])
        if cand in modules:
            best = cand
    return best


def cycles(crate: pathlib.Path) -> list:
    src = crate / "src"
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    edges = {f: set() for f in files}
    for mod, f in modules.items():
        text = test_free(strip_comments(f.read_text()))
        is_mod = f.name in ("mod.rs", "lib.rs", "main.rs")
        children = {m[-1] for m in modules if len(m) == len(mod) + 1 and m[: len(mod)] == mod}
        relative = [
            ["self", m.group(1)] + [p for p in m.group(2).split("::") if p]
            for m in re.finditer(r"(?<![:\w])([a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)", text)
            if m.group(1) in children
        ]
        for m in re.finditer(r"(?<![:\w])([a-z_][a-z0-9_]*)::\{", text):
            if m.group(1) in children:
                relative.append(["self", m.group(1)])
        for p in paths_in(text) + relative:
            target = resolve(p, mod, is_mod, modules)
            if target is None or target == mod:
                continue
            # A parent naming its own child module's items is still a use of the child.
            edges[f].add(modules[target])
    # Tarjan's strongly connected components.
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(str(c.relative_to(ROOT)) for c in comp))

    sys.setrecursionlimit(10_000)
    for v in files:
        if v not in index:
            strong(v)
    return out


def main() -> int:
    breaches = []
    for crate in sorted((ROOT / "crates").iterdir()):
        src = crate / "src"
        if not src.is_dir():
            continue
        for f in sorted(src.rglob("*.rs")):
            text = f.read_text()
            lines = text.count("\n")
            rel = f.relative_to(ROOT)
            if lines > MAX_LINES:
                breaches.append(f"{rel}: {lines} lines (at most {MAX_LINES})")
            for allowance in ("too_many_lines", "too_many_arguments"):
                if allowance in text:
                    breaches.append(f"{rel}: allows clippy::{allowance}")
            if crate.name == "coroot-tools" and "thread_local!" in text:
                breaches.append(f"{rel}: thread_local! in coroot-tools")
        for comp in cycles(crate):
            breaches.append("circle between files: " + " <-> ".join(comp))
    for b in breaches:
        print(b)
    if breaches:
        return 1
    print("house rules: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
