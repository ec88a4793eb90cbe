"""The public ledger's Merkle tree, exactly as RFC 6962 §2.1 defines it (no Django here).

    leaf hash  MTH({d(0)}) = SHA-256(0x00 || d(0))
    node hash  MTH(D[n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k the largest power of 2 < n
    MTH({})    = SHA-256()

Every range the RFC's recursion visits starts at a multiple of a power of two at least its length, so
its hash is a fold of *complete, aligned* subtrees: the node at ``(level, position)`` covers the
leaves ``[position * 2**level, (position + 1) * 2**level)``. Haven stores those nodes as the log
grows (each append completes at most log2(N) of them), so a root, an audit path or a consistency
proof reads O(log N) stored nodes — fetched in one query — and never the leaves.

``plan_*`` say which nodes a proof needs; ``*_from`` compute it from a mapping of those nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

Node = tuple[int, int]  # (level, position)
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def pieces(lo: int, hi: int) -> list[Node]:
    """The complete aligned subtrees, left to right, whose fold is MTH(D[lo:hi])."""
    found: list[Node] = []
    cursor, size = lo, hi - lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, cursor >> level))
            cursor += 1 << level
    return found


def fold(hashes: list[bytes]) -> bytes:
    """MTH of a range from its pieces: the right edge is folded first (RFC 6962: MTH(D[0:k]) is the
    left child, the rest the right)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def range_hash(lo: int, hi: int, nodes: Mapping[Node, bytes]) -> bytes:
    return fold([nodes[p] for p in pieces(lo, hi)])


# --- Which ranges each proof is made of (RFC 6962 §2.1.1, §2.1.2) ------------------------------------


def path_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) as the ranges whose MTHs it lists, leaf end first."""
    if not 0 <= m < n:
        raise ValueError("the leaf index must be below the tree size")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, n
    while hi - lo > 1:
        k = _split(hi - lo)
        if m - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo = lo + k
    return list(reversed(ranges))


def consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as ranges, in the RFC's order."""
    if not 0 < m <= n:
        raise ValueError("the first tree size must be between 1 and the second")
    out: list[tuple[int, int]] = []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> None:
        n = hi - lo
        if m == n:
            if not complete:
                out.append((lo, hi))
            return
        k = _split(n)
        if m <= k:
            subproof(m, lo, lo + k, complete)
            out.append((lo + k, hi))
        else:
            subproof(m - k, lo + k, hi, False)
            out.append((lo, lo + k))

    subproof(m, 0, n, True)
    return out


def needed(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    return {p for lo, hi in ranges for p in pieces(lo, hi)}


# --- Appending: the nodes a new leaf completes ----------------------------------------------------


def completed_by(index: int, leaf: bytes, nodes: Mapping[Node, bytes]) -> dict[Node, bytes]:
    """The nodes that appending leaf ``index`` completes: the leaf itself, and each parent whose right
    child it closes. ``nodes`` must hold the left siblings (the frontier, ``frontier(index)``)."""
    made = {(0, index): leaf}
    level, position, h = 0, index, leaf
    while position & 1:
        h = node_hash(nodes[(level, position - 1)], h)
        level, position = level + 1, position >> 1
        made[(level, position)] = h
    return made


def frontier(size: int) -> list[Node]:
    """The complete subtrees of a tree of ``size`` leaves: all an append needs to know."""
    return pieces(0, size)
