# SPDX-License-Identifier: MIT
expr 2 + 3
expr 10 \* 4
expr length hello
expr substr abcdef 2 3
expr 5 \> 3
