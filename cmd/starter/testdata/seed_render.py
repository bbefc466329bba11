"""Independent reference for `starter prompt --json` (test helper, our own code).

Renders the first request of the seed (SWE-agent 1.0 as the paper's fork runs it) with the libraries the
seed itself uses: PyYAML for the config and the tool bundles, Jinja2 for the templates. The rules, from
seed-system.md §3.1-3.2 and §4.2: the system template and the instance template are Jinja templates rendered
with the tools' env_variables, problem_statement, repo ("testbed") and the state before the first command
(open_file "n/a", working_dir "/testbed"); the tools are the built-in bash tool followed by every bundle's
tools in declared order (hidden ones left out), each as {"type": "function", "function": {"name",
"description": docstring, "parameters": {"type": "object", "properties": {arg: {"type", "description"[,
"items"][, "enum"]}}, "required": [...]}}}, bundles resolved from the config's repository root.

usage: seed_render.py CONFIG INSTANCES_JSON=INSTANCE_ID...  (prints {"messages": [...], "tools": [...]} per
instance, one a line)
"""
import json
import pathlib
import sys

import jinja2
import yaml


def tool(name, doc, args):
    props, required = {}, []
    for a in args or []:
        props[a["name"]] = {"type": a["type"], "description": a["description"]}
        if a.get("items"):
            props[a["name"]]["items"] = a["items"]
        if a["required"]:
            required.append(a["name"])
        if a.get("enum"):
            props[a["name"]]["enum"] = a["enum"]
    params = {"type": "object", "properties": props, "required": required}
    return {"type": "function", "function": {"name": name, "description": doc or "", "parameters": params}}


def render(config, instances, instance_id):
    path = pathlib.Path(config).resolve()
    agent = yaml.safe_load(path.read_text())["agent"]
    templates, tools_cfg = agent["templates"], agent["tools"]
    root = path.parent.parent
    row = next(r for r in json.loads(pathlib.Path(instances).read_text()) if r["instance_id"] == instance_id)
    env = dict(tools_cfg.get("env_variables") or {})
    fmt = dict(env, command_docs="", problem_statement=row["problem_statement"], repo="testbed")
    system = jinja2.Template(templates["system_template"]).render(**fmt)
    instance = jinja2.Template(templates["instance_template"]).render(**fmt, open_file="n/a", working_dir="/testbed")
    tools = []
    if tools_cfg.get("enable_bash_tool", True):
        tools.append(tool("bash", "runs the given command directly in bash",
                          [{"name": "command", "type": "string", "description": "The bash command to execute.", "required": True}]))
    for bundle in tools_cfg.get("bundles", []):
        data = yaml.safe_load((root / bundle["path"] / "config.yaml").read_text())
        for name, spec in data["tools"].items():
            if name not in bundle.get("hidden_tools", []):
                tools.append(tool(name, spec.get("docstring"), spec.get("arguments")))
    out = {"messages": [{"role": "system", "content": system}, {"role": "user", "content": instance}], "tools": tools}
    return json.dumps(out)


if __name__ == "__main__":
    for arg in sys.argv[2:]:
        rows, iid = arg.rsplit("=", 1)
        print(render(sys.argv[1], rows, iid))
