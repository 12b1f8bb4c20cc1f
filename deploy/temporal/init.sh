#!/bin/sh
# One-shot (temporalio/admin-tools): once the Temporal server is SERVING, create the
# namespace if it is missing and register the search attributes it lacks. Safe to run
# again; an attribute registered with another type stops it with a clear message.
#
# ERP_SEARCH_ATTRIBUTES holds `Name=Type` pairs, separated by spaces. The compose file
# sets it; tests/test_compose.py checks it against contract/search_attributes.py.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is host:port of the Temporal frontend}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=720h}"
: "${ERP_SEARCH_ATTRIBUTES:?ERP_SEARCH_ATTRIBUTES lists Name=Type pairs}"
: "${INIT_WAIT_SECONDS:=180}"

ns="$TEMPORAL_NAMESPACE"

cli() {
    temporal "$@" --address "$TEMPORAL_ADDRESS"
}

# Retry a command until it succeeds or INIT_WAIT_SECONDS pass.
retry() {
    what=$1
    shift
    waited=0
    until "$@" >/dev/null 2>&1; do
        if [ "$waited" -ge "$INIT_WAIT_SECONDS" ]; then
            echo "gave up after ${INIT_WAIT_SECONDS}s waiting for $what" >&2
            exit 1
        fi
        sleep 2
        waited=$((waited + 2))
    done
}

serving() {
    cli operator cluster health | grep -q SERVING
}

echo "waiting for Temporal at $TEMPORAL_ADDRESS ..."
retry "the Temporal server to serve" serving

if cli operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
    echo "namespace $ns exists"
else
    cli operator namespace create --namespace "$ns" --retention "$NAMESPACE_RETENTION"
    echo "namespace $ns created (retention $NAMESPACE_RETENTION)"
fi

# A new namespace reaches every server role after a short cache refresh.
retry "namespace $ns to be visible" cli operator search-attribute list --namespace "$ns"

registered() {
    cli operator search-attribute list --namespace "$ns"
}

for pair in $ERP_SEARCH_ATTRIBUTES; do
    name=${pair%%=*}
    type=${pair#*=}
    line=$(registered | grep -E "^[[:space:]]*$name[[:space:]]" || true)
    if [ -z "$line" ]; then
        cli operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
        echo "search attribute $name ($type) registered"
    elif echo "$line" | grep -qi "$type"; then
        echo "search attribute $name ($type) already registered"
    else
        echo "search attribute $name exists with another type:$line (wanted $type)" >&2
        exit 1
    fi
done

missing=""
listing=$(registered)
for pair in $ERP_SEARCH_ATTRIBUTES; do
    name=${pair%%=*}
    echo "$listing" | grep -qE "^[[:space:]]*$name[[:space:]]" || missing="$missing $name"
done
if [ -n "$missing" ]; then
    echo "search attributes still missing on $ns:$missing" >&2
    exit 1
fi
echo "namespace $ns is ready: $ERP_SEARCH_ATTRIBUTES"
