# SPDX-License-Identifier: MIT
cmd='echo evaluated'
eval $cmd
name=var; eval "$name=42"; echo $var
