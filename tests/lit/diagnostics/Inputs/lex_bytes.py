"""Writes ../lex-bytes.test's program: bytes that cannot appear in a test file (invalid UTF-8,
NUL, control characters), each on a line whose comment says which error it raises."""
import sys

LINES = [
    b"module M {",
    b"  forward(x: f32[B]) -> f32[B] {",
    b"    let a = x \xff 2       # expected-error {{invalid UTF-8 byte 0xFF}}",
    b"    let b = x \x01 2       # expected-error {{unexpected control character 0x1}}",
    b"    let c = x \x00 2       # expected-error {{NUL byte in source}}",
    b"    let d = x \xc3\xa9 2   # expected-error {{unexpected character '\xc3\xa9'}}",
    b"    return x",
    b"  }",
    b"}",
    b"# a comment with \xfe  # expected-error {{invalid UTF-8 in a comment}}",
    b"# a comment with \x00  # expected-error {{NUL byte in a comment}}",
    b"#[ a block comment",
    b"   with \xc0\x80 ]#      # expected-error {{invalid UTF-8 in a comment}}",
    b'import "caf\xe9"         # expected-error {{invalid UTF-8 in a string}}',
    b'import "nul\x00"         # expected-error {{NUL byte in a string}}',
]

with open(sys.argv[1], "wb") as f:
    f.write(b"\n".join(LINES) + b"\n")
