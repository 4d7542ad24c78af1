"""The Merkle tree of a petition's count log (docs/verifiable-counts.md, version 1).

Leaves are the receipt hashes of the counted signatures, as 32 raw bytes, in ascending byte order;
a leaf's node is SHA-256(0x00 || receipt hash), an inner node SHA-256(0x01 || left || right) (the
prefixes keep a leaf from passing for an inner node); a level with an odd number of nodes carries
its last node up unchanged (never duplicated, so no two different sets share a root); the root of
no leaves is SHA-256 of nothing. tools/verify_counts.py re-implements this from the
specification without importing it, and the tests check that both agree."""

import hashlib

SPEC_VERSION = 1
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_node(receipt_hash):
    return hashlib.sha256(LEAF_PREFIX + receipt_hash).digest()


def inner_node(left, right):
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def ordered_leaves(receipt_hashes):
    """Hex receipt hashes → the sorted list of their raw bytes (the leaves' order)."""
    return sorted(bytes.fromhex(h) for h in receipt_hashes)


def _levels(leaves):
    level = [leaf_node(leaf) for leaf in leaves]
    levels = [level]
    while len(level) > 1:
        up = [inner_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1])
        levels.append(up)
        level = up
    return levels


def merkle_root(receipt_hashes):
    """The root (hex) over hex receipt hashes, in any order."""
    leaves = ordered_leaves(receipt_hashes)
    if not leaves:
        return EMPTY_ROOT
    return _levels(leaves)[-1][0].hex()


def inclusion_proof(receipt_hashes, receipt_hash):
    """The path from `receipt_hash`'s leaf to the root: [{"side": "left" | "right", "hash": hex}],
    the sibling to hash with at each level where there is one (a node carried up unchanged has
    none); None when the hash is not a leaf."""
    leaves = ordered_leaves(receipt_hashes)
    target = bytes.fromhex(receipt_hash)
    try:
        index = leaves.index(target)
    except ValueError:
        return None
    path = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(
                {"side": "left" if sibling < index else "right", "hash": level[sibling].hex()}
            )
        index //= 2
    return path


def root_from_proof(receipt_hash, path):
    """The root a receipt hash and its path lead to (hex): equal to the published root when the
    receipt is included."""
    node = leaf_node(bytes.fromhex(receipt_hash))
    for step in path:
        sibling = bytes.fromhex(step["hash"])
        node = inner_node(sibling, node) if step["side"] == "left" else inner_node(node, sibling)
    return node.hex()
