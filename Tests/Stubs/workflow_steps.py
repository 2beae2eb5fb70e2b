"""The shiplog steps of a GitHub Actions workflow, as a runner would execute them, for the examples' tests.

    workflow_steps.py WORKFLOW.yml JOB CONTEXT_JSON -> JSON list of {"name", "run", "env"}

Only steps that run shiplog (or log in to it) are listed; installing it is the test's business. `env` merges the
workflow's, the job's and the step's env, each `${{ expr }}` replaced from CONTEXT_JSON (an unknown expression is an
error: the test must say what every value is).
"""
import json
import re
import sys

import yaml


def substitute(value, context):
    def replace(match):
        expression = match.group(1).strip()
        if expression not in context:
            sys.exit("no value for ${{ %s }}" % expression)
        return str(context[expression])
    return re.sub(r"\$\{\{(.*?)\}\}", replace, str(value))


def main():
    path, job, context = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with open(path) as f:
        workflow = yaml.safe_load(f)
    steps = []
    base = {**(workflow.get("env") or {}), **(workflow["jobs"][job].get("env") or {})}
    for step in workflow["jobs"][job]["steps"]:
        run = step.get("run")
        if not run or "shiplog" not in run or "Install shiplog" in step.get("name", ""):
            continue
        env = {name: substitute(value, context) for name, value in {**base, **(step.get("env") or {})}.items()}
        steps.append({"name": step.get("name", ""), "run": run, "env": env})
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
