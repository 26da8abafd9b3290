#!/usr/bin/env python3
"""Joins the example cluster and model catalogue into one exoplace request.

    python3 make-request.py cluster.json models.json            # every model: for fit, previews
    python3 make-request.py cluster.json models.json --model ID # one model: for place

The request goes to standard output, e.g.
    python3 make-request.py cluster.json models.json | exoplace fit
which `exoplace fit cluster.json --models models.json` also does.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cluster", help="exo /state (or {\"topology\": ...}) JSON")
    parser.add_argument("models", help="{\"models\": [...]} JSON")
    parser.add_argument("--model", help="the one model to place (its modelId)")
    args = parser.parse_args()
    with open(args.cluster) as f:
        cluster = json.load(f)
    with open(args.models) as f:
        models = json.load(f)["models"]
    request = {"topology": cluster["topology"]}
    if args.model:
        chosen = [m for m in models if m.get("modelId", m.get("model_id")) == args.model]
        if not chosen:
            sys.exit("make-request: no model %r in %s" % (args.model, args.models))
        request["model"] = chosen[0]
    else:
        request["models"] = models
    json.dump(request, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
