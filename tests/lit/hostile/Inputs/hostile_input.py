"""Writes one kind of hostile input for attnc: `hostile_input.py KIND OUT`.

The inputs are generated at test time (some are megabytes, some are not valid UTF-8) and are
deterministic, so a failure can be reproduced from the file left in the test's output folder.
"""
import random
import sys

FORWARD = "module M {\n  forward(x: f32[B]) -> f32[B] {\n    return %s\n  }\n}\n"


def garbage():
    rng = random.Random(20240601)
    return bytes(rng.getrandbits(8) for _ in range(64 * 1024))


def parens():
    n = 200000
    return (FORWARD % ("(" * n + "x" + ")" * n)).encode()


def brackets():
    n = 200000
    return ("module M {\n  param w: f32" + "[" * n + "4" + "]" * n + "\n}\n").encode()


def member_blocks():
    n = 200000
    return ("module M {\n" + "  if true {\n" * n + "  param w: f32[4]\n" + "  }\n" * n +
            "}\n").encode()


def statement_blocks():
    n = 200000
    body = "".join(f"    for i{k} in range(1) {{\n" for k in range(n)) + "    let x = x\n" + \
        "    }\n" * n
    return ("module M {\n  forward(x: f32[B]) -> f32[B] {\n" + body + "    return x\n  }\n}\n"
            ).encode()


def nested_sequential():
    n = 200000
    return ("module M {\n  param s = " + "Sequential(" * n + ")" * n + "\n}\n").encode()


def unterminated_comment():
    return (FORWARD % "x").encode() + b"#[ a block comment that never ends\nmodule N {}\n"


def unterminated_string():
    return b'import "nn\nmodule M(act: string = "relu) {\n}\n'


def invalid_utf8():
    return (b"module M {\n"
            b"  # a comment with \xff in it\n"
            b"  forward(x: f32[B]) -> f32[B] {\n"
            b"    return x \xc3\x28\n"
            b"  }\n"
            b"}\n"
            b'import "caf\xe9"\n')


def nul_bytes():
    return b"module M {\n  forward(x: f32[B]) -> f32[B] {\n    return x\x00\n  }\n}\n# \x00\n"


def long_identifier():
    return (FORWARD % ("x" * (5 * 1024 * 1024))).encode()


KINDS = {
    "garbage": garbage,
    "parens": parens,
    "brackets": brackets,
    "member-blocks": member_blocks,
    "statement-blocks": statement_blocks,
    "nested-sequential": nested_sequential,
    "unterminated-comment": unterminated_comment,
    "unterminated-string": unterminated_string,
    "invalid-utf8": invalid_utf8,
    "nul-bytes": nul_bytes,
    "long-identifier": long_identifier,
}

if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        f.write(KINDS[kind]())
