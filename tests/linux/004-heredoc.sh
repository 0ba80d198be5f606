# SPDX-License-Identifier: MIT
cat <<EOF
line one
value: $((2 + 3))
EOF
cat <<'EOF'
literal $((2 + 3))
EOF
