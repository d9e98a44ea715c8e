"""JSON Merge Patch (RFC 7386, restated as RFC 7396): how an Open Referral profile's files
change the core HSDS schemas."""

from __future__ import annotations

import copy


def merge_patch(target, patch):
    """``target`` changed by ``patch``, both left untouched: an object in the patch merges
    key by key (``null`` removes the key), anything else replaces the target outright,
    arrays included."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
