"""Honor boards (光荣榜·善行义举四德榜), the points ledger (积分) with its rankings and star
levels, and residents' look-up of their own points."""
