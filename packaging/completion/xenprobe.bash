# bash completion for xenprobe(8) and xenprobed
_xenprobe()
{
        local cur prev words cword
        _init_completion 2>/dev/null || {
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD - 1]}
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
        }
        local global="--root --json --short --prometheus --no-boot --verbose --help --version"
        local cmds="snapshot initrd facts publish daemon query"
        local cmd="" i
        for ((i = 1; i < cword; i++)); do
                case ${words[i]} in
                snapshot | initrd | facts | publish | daemon | query)
                        cmd=${words[i]}
                        break
                        ;;
                esac
        done
        case $prev in
        --root | -r | snapshot)
                COMPREPLY=($(compgen -d -- "$cur"))
                return
                ;;
        --textfile | -T)
                COMPREPLY=($(compgen -f -- "$cur"))
                return
                ;;
        --fs | -f)
                COMPREPLY=($(compgen -W "ext4 ext3 ext2 xfs btrfs f2fs nfs nfs4" -- "$cur"))
                return
                ;;
        --domid | -d | --timeout | -t | --kver | -k)
                return
                ;;
        esac
        case $cmd in
        "")
                COMPREPLY=($(compgen -W "$global $cmds" -- "$cur"))
                ;;
        initrd)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--json --quick --fs --kver --help" -- "$cur"))
                else
                        COMPREPLY=($(compgen -f -- "$cur"))
                fi
                ;;
        facts)
                COMPREPLY=($(compgen -W "--wrap --boot --help" -- "$cur"))
                ;;
        daemon)
                COMPREPLY=($(compgen -W "--domid --no-boot --trace --xapi-services --textfile --verbose --help" -- "$cur"))
                ;;
        publish)
                COMPREPLY=($(compgen -W "--domid --no-boot --trace --xapi-services --verbose --help" -- "$cur"))
                ;;
        query)
                COMPREPLY=($(compgen -W "--all --json --prometheus --output --heartbeat --refresh --watch --timeout --verbose --help" -- "$cur"))
                ;;
        esac
}
complete -F _xenprobe xenprobe

_xenprobed()
{
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        case $prev in
        --domid | -d) return ;;
        --textfile | -T)
                COMPREPLY=($(compgen -f -- "$cur"))
                return
                ;;
        esac
        COMPREPLY=($(compgen -W "--domid --no-boot --trace --xapi-services --textfile --verbose --help" -- "$cur"))
}
complete -F _xenprobed xenprobed
