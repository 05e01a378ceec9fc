# The functions of trimlab's bash completion. tools/completion.mjs writes
# build/bash-completion/trimlab: the data these read, made from trimlab's own --help and --list
# texts, then this file.
#   _trimlab_commands, _trimlab_scenarios, _trimlab_all_params   words
#   _trimlab_options[COMMAND]         the options of COMMAND (main: trimlab's own)
#   _trimlab_values[COMMAND OPTION]   what follows OPTION: @file, @scenario, @param or words
#   _trimlab_operand[COMMAND]         what COMMAND's own operand is (replay TRACE: @file)
#   _trimlab_params[NAME]             the parameters of scenario NAME, and of replay

# The value an option takes, by kind (_trimlab_values).
_trimlab_value() {
    local kind=$1 cur=$2 scenario=$3 command=$4
    case $kind in
    @file)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    @scenario) COMPREPLY=($(compgen -W "$_trimlab_scenarios" -- "$cur")) ;;
    @param)
        local names=${_trimlab_params[${scenario:-$command}]}
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -S = -W "${names:-$_trimlab_all_params}" -- "$cur"))
        ;;
    *) COMPREPLY=($(compgen -W "$kind" -- "$cur")) ;;
    esac
}

# After record's "--": the program, then its own arguments (bash-completion's when loaded).
_trimlab_program() {
    local first=$1 cur=$2
    if declare -F _command_offset >/dev/null; then
        _command_offset "$first"
    elif ((COMP_CWORD == first)); then
        COMPREPLY=($(compgen -c -- "$cur"))
    else
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_trimlab() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local command=main scenario= i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        if ((i == 1)) && [[ " $_trimlab_commands " == *" ${COMP_WORDS[1]} "* ]]; then
            command=${COMP_WORDS[1]}
        elif [[ $command == record && ${COMP_WORDS[i]} == -- ]]; then
            _trimlab_program $((i + 1)) "$cur"
            return
        elif [[ ${COMP_WORDS[i - 1]} == --scenario && $command == main ]]; then
            scenario=${COMP_WORDS[i]}
        fi
    done
    local kind=${_trimlab_values[$command $prev]}
    if [[ -n $kind ]]; then
        _trimlab_value "$kind" "$cur" "$scenario" "$command"
    elif [[ $command == main && $COMP_CWORD -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$_trimlab_commands" -- "$cur"))
    elif [[ $cur == -* || -z ${_trimlab_operand[$command]} ]]; then
        COMPREPLY=($(compgen -W "${_trimlab_options[$command]}" -- "$cur"))
    else
        _trimlab_value "${_trimlab_operand[$command]}" "$cur" "" "$command"
    fi
}
complete -F _trimlab trimlab
