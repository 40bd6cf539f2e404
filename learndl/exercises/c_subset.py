"""A small interpreter of a subset of C, to check a CUDA kernel's math on a CPU.

Lesson 11's exercises are kernels; without a GPU they cannot be launched. This runs their
source instead: an ElementwiseKernel's body once per element (``run_elementwise``), a
RawKernel once per simulated thread, one thread after another (``launch``), with every
array access bounds-checked. It reads declarations, arithmetic with C's integer division,
``?:``, comparisons, ``&&``/``||``, casts, ``if``, ``for``, ``return`` and the math
functions; it refuses what depends on threads running together (``__syncthreads``,
``__shared__``, atomics) with ``Unsupported`` rather than pretend.
"""

from __future__ import annotations

import contextlib
import math
import operator
import re

import numpy as np

TOKEN = re.compile(
    r"\s+|//[^\n]*|/\*.*?\*/|\#[^\n]*"  # skipped: space, comments, preprocessor lines
    r"|(?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[fFuUlL]*)"
    r'|(?P<word>[A-Za-z_]\w*)|(?P<str>"[^"]*")'
    r"|(?P<op>\+\+|--|[-+*/%]=|==|!=|<=|>=|&&|\|\||[-+*/%<>=!?:;,(){}\[\].&])",
    re.S,
)
TYPES = {"const", "unsigned", "signed", "int", "long", "short", "float", "double", "T", "bool"}
TYPES |= {"size_t", "__restrict__"}
INTS = {"int", "long", "short", "unsigned", "signed", "size_t"}
UNSUPPORTED = {"__syncthreads", "__shared__", "atomicAdd", "while", "do", "goto", "break"}
MATH = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh, "erf": math.erf}
MATH |= {"fabs": abs, "abs": abs, "fmax": max, "max": max, "fmin": min, "min": min}
MATH["pow"] = math.pow
MATH |= {name + "f": fn for name, fn in MATH.items()}  # expf, fmaxf, ...: the float versions
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
BINARY |= {"%": math.fmod, "<": operator.lt, "<=": operator.le, ">": operator.gt}
BINARY |= {">=": operator.ge, "==": operator.eq, "!=": operator.ne}
LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%"))


class Unsupported(Exception):  # noqa: N818 - reported as a failed check, not a crash
    """The CPU interpreter does not model this part of C/CUDA."""


class OutOfBounds(Exception):  # noqa: N818
    """A simulated thread read or wrote outside an array."""


class Return(Exception):  # noqa: N818 - control flow of `return;`
    pass


def tokenize(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            raise Unsupported(f"the CPU check cannot read {text[pos : pos + 10]!r}")
        if m.lastgroup:
            out.append(m.group())
        pos = m.end()
    return out


def simulated(tokens: list[str]) -> list[str]:
    """``tokens``, or ``Unsupported`` if they use what a one-thread-at-a-time run cannot model."""
    if bad := UNSUPPORTED.intersection(tokens):
        raise Unsupported(f"the CPU check does not simulate `{min(bad)}`")
    return tokens


class Parser:
    """Recursive descent over tokens into tuples such as ``("bin", "+", a, b)``."""

    def __init__(self, tokens: list[str]) -> None:
        self.t, self.i = [*tokens, "<end>"], 0

    def peek(self, k: int = 0) -> str:
        return self.t[self.i + k]

    def take(self, expect: str | None = None) -> str:
        tok = self.t[self.i]
        if expect is not None and tok != expect:
            raise Unsupported(f"the CPU check expected {expect!r}, found {tok!r}")
        self.i += 1
        return tok

    def ctype(self) -> str:
        words = []
        while self.peek() in TYPES:
            words.append(self.take())
        if INTS.intersection(words):
            return "int"
        return next((w for w in words if w in ("float", "double", "T", "bool")), "int")

    def statements(self, end: str) -> list:
        body = []
        while self.peek() != end:
            body.append(self.stmt())
        return body

    def stmt(self) -> tuple:
        tok = self.peek()
        if tok == ";":
            self.take()
            return ("block", [])
        if tok == "{":
            self.take()
            body = self.statements("}")
            self.take("}")
            return ("block", body)
        if tok == "return":
            self.take(), self.take(";")
            return ("return",)
        if tok == "if":
            self.take(), self.take("(")
            cond = self.expr()
            self.take(")")
            then = self.stmt()
            other = self.stmt() if self.peek() == "else" and self.take() else ("block", [])
            return ("if", cond, then, other)
        if tok == "for":
            self.take(), self.take("(")
            init = self.stmt()  # a declaration or an expression, with its ';'
            cond = ("num", 1) if self.peek() == ";" else self.expr()
            self.take(";")
            step = ("block", []) if self.peek() == ")" else ("expr", self.expr())
            self.take(")")
            return ("for", init, cond, step, self.stmt())
        if tok in TYPES:
            ctype, decls = self.ctype(), []
            while True:
                if self.peek() in ("&", "*"):
                    raise Unsupported("the CPU check does not simulate pointer or reference locals")
                name = self.take()
                value = self.expr() if self.peek() == "=" and self.take() else None
                decls.append(("decl", ctype, name, value))
                if self.peek() != ",":
                    break
                self.take()
            self.take(";")
            return ("block", decls)
        node = ("expr", self.expr())
        self.take(";")
        return node

    def expr(self) -> tuple:
        left = self.ternary()
        if self.peek() in ("=", "+=", "-=", "*=", "/=", "%="):
            return ("assign", self.take(), left, self.expr())
        return left

    def ternary(self) -> tuple:
        cond = self.binary(0)
        if self.peek() != "?":
            return cond
        self.take()
        yes = self.expr()
        self.take(":")
        return ("?", cond, yes, self.ternary())

    def binary(self, level: int) -> tuple:
        if level == len(LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in LEVELS[level]:
            left = ("bin", self.take(), left, self.binary(level + 1))
        return left

    def unary(self) -> tuple:
        tok = self.peek()
        if tok in ("-", "+", "!"):
            self.take()
            return ("unary", tok, self.unary())
        if tok in ("++", "--"):
            self.take()
            return ("assign", tok[0] + "=", self.unary(), ("num", 1))
        if tok == "(" and self.peek(1) in TYPES:
            self.take()
            ctype = self.ctype()
            self.take(")")
            return ("cast", ctype, self.unary())
        return self.postfix()

    def postfix(self) -> tuple:
        tok = self.take()
        if tok == "(":
            node = self.expr()
            self.take(")")
        elif tok[0].isdigit() or tok[0] == ".":
            text = tok.rstrip("fFuUlL")
            node = ("num", float(text) if any(c in text for c in ".eE") else int(text))
            node = ("cast", "float", node) if tok[-1] in "fF" else node
        elif re.fullmatch(r"[A-Za-z_]\w*", tok):
            node = ("name", tok)
        else:
            raise Unsupported(f"the CPU check did not expect {tok!r}")
        while self.peek() in ("[", "(", ".", "++", "--"):
            op = self.take()
            if op == "[":
                node = ("index", node[1], self.expr())
                self.take("]")
            elif op == "(":
                args = []
                while self.peek() != ")":
                    args.append(self.expr())
                    if self.peek() == ",":
                        self.take()
                self.take(")")
                node = ("call", node[1], args)
            elif op == ".":
                node = ("name", f"{node[1]}.{self.take()}")
            else:  # i++: only ever a statement or a for step in these kernels
                node = ("assign", op[0] + "=", node, ("num", 1))
        return node


class Buffer:
    """An array a kernel receives by pointer: bounds-checked, counting writes per element."""

    def __init__(self, values: np.ndarray) -> None:
        self.values, self.writes = values, np.zeros(len(values), dtype=int)

    def _check(self, i, verb: str) -> int:
        if not isinstance(i, int):
            raise Unsupported("an array index must be an integer")
        if not 0 <= i < len(self.values):
            raise OutOfBounds(verb)
        return i

    def read(self, i) -> float:
        return float(self.values[self._check(i, "read")])

    def write(self, i, value) -> None:
        self.values[self._check(i, "wrote")] = value
        self.writes[i] += 1


class Machine:
    """Runs parsed statements on Python numbers; ``T`` is ``float`` (rounded to float32)."""

    def __init__(self, t: str = "float", budget: int = 500_000) -> None:
        self.t, self.budget = t, budget

    def cast(self, ctype: str, value):
        ctype = self.t if ctype == "T" else ctype
        if ctype in ("int", "bool"):
            return int(value) if ctype == "int" else int(bool(value))
        return float(np.float32(value)) if ctype == "float" else float(value)

    def run(self, stmts: list, env: dict, types: dict) -> None:
        for s in stmts:
            self.budget -= 1
            if self.budget < 0:
                raise Unsupported("the simulated kernel never finished: does every loop end?")
            if s[0] == "expr":
                self.eval(s[1], env, types)
            elif s[0] == "decl":
                types[s[2]] = s[1]
                env[s[2]] = self.cast(s[1], self.eval(s[3], env, types) if s[3] else 0)
            elif s[0] == "block":
                self.run(s[1], env, types)
            elif s[0] == "if":
                self.run([s[2] if self.eval(s[1], env, types) else s[3]], env, types)
            elif s[0] == "for":
                self.run([s[1]], env, types)
                while self.eval(s[2], env, types):
                    self.run([s[4], s[3]], env, types)
            else:
                raise Return

    def eval(self, n: tuple, env: dict, types: dict):
        kind = n[0]
        if kind == "num":
            return n[1]
        if kind == "name" or kind == "index":
            if n[1] not in env:
                raise Unsupported(f"the CPU check does not know `{n[1]}`")
            return env[n[1]] if kind == "name" else env[n[1]].read(self.eval(n[2], env, types))
        if kind == "cast":
            return self.cast(n[1], self.eval(n[2], env, types))
        if kind == "unary":
            v = self.eval(n[2], env, types)
            return -v if n[1] == "-" else v if n[1] == "+" else int(not v)
        if kind == "?":
            return self.eval(n[2] if self.eval(n[1], env, types) else n[3], env, types)
        if kind == "call":
            if n[1] not in MATH:
                raise Unsupported(f"the CPU check does not simulate `{n[1]}()`")
            return MATH[n[1]](*(self.eval(a, env, types) for a in n[2]))
        if kind == "bin":
            a = self.eval(n[2], env, types)
            if n[1] in ("&&", "||"):  # short-circuit, as in C
                first = bool(a) if n[1] == "||" else not a
                return int(bool(a)) if first else int(bool(self.eval(n[3], env, types)))
            return binop(n[1], a, self.eval(n[3], env, types))
        op, target, value = n[1], n[2], self.eval(n[3], env, types)
        if op != "=":
            value = binop(op[0], self.eval(target, env, types), value)
        if target[0] == "index":
            env[target[1]].write(self.eval(target[2], env, types), self.cast("T", value))
        elif target[0] == "name" and target[1] in types:
            env[target[1]] = self.cast(types[target[1]], value)
        else:
            raise Unsupported("the CPU check can assign only to a variable or an array element")
        return value


def binop(op: str, a, b):
    """C's arithmetic: integer ``/`` and ``%`` truncate toward zero; the rest as floats."""
    if op in ("/", "%") and isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise Unsupported("a simulated thread divided an integer by zero")
        q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
        return q if op == "/" else a - b * q
    if op == "/" and b == 0:
        return math.copysign(math.inf, a) * math.copysign(1.0, b) if a else math.nan
    return int(BINARY[op](a, b)) if op in LEVELS[2] + LEVELS[3] else BINARY[op](a, b)


def run_elementwise(body: str, x: np.ndarray, t: str = "float") -> np.ndarray:
    """An ElementwiseKernel body ``T x -> T y`` run once per element on the CPU."""
    stmts = Parser(simulated(tokenize(body + ";"))).statements("<end>")
    out = np.empty(len(x))
    for i, value in enumerate(x):
        env, types = {"x": float(value), "y": math.nan}, {"x": "T", "y": "T"}
        Machine(t).run(stmts, env, types)
        out[i] = env["y"]
    return out


def launch(source: str, grid: int, block: int, *args) -> list:
    """Simulate ``kernel((grid,), (block,), args)``: every thread, one after another.

    Pointer arguments become ``Buffer``s (returned, in order, with the scalars).
    """
    p = Parser(simulated(tokenize(source)))
    while p.peek() not in ("__global__", "<end>"):
        p.take()
    p.take("__global__"), p.take("void"), p.take(), p.take("(")
    params = []
    while p.peek() != ")":
        words = []
        while p.peek() not in (",", ")", "<end>"):
            words.append(p.take())
        if p.peek() == ",":
            p.take()
        params.append((words[-1], Parser(words[:-1]).ctype(), "*" in words))
    p.take(")")
    body = p.stmt()
    if len(params) != len(args):
        raise Unsupported(f"the kernel takes {len(params)} arguments, not {len(args)}")
    env, types = {}, {}
    for (name, ctype, pointer), arg in zip(params, args):
        env[name] = Buffer(np.array(arg, dtype=np.float32)) if pointer else arg
        types[name] = ctype if not pointer else None
    machine = Machine("float")
    for b in range(grid):
        for t in range(block):
            built = {"blockIdx.x": b, "blockDim.x": block, "threadIdx.x": t, "gridDim.x": grid}
            built |= {f"{v}.{a}": 0 for v in ("blockIdx", "threadIdx") for a in "yz"}
            built |= {f"{v}.{a}": 1 for v in ("blockDim", "gridDim") for a in "yz"}
            with contextlib.suppress(Return):  # `return;` ends only this thread
                machine.run([body], {**env, **built}, dict(types))
    return [env[name] for name, _, _ in params]
