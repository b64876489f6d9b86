/* costfront command: the table of subcommands (each lives in its own cli/cmd_*.c file). */
#include "cli.h"

const cf_cli_command cf_cli_commands[] = {
    {"frontier", "price runs and print the cost-accuracy Pareto frontier (table, JSON, CSV)", cf_cmd_frontier},
    {"report", "write the HTML report (charts, frontier, dominated runs, data quality) to a directory", cf_cmd_report},
    {"fit", "fit the accuracy and GPU-hours surrogates (GPs) and report leave-one-out accuracy", cf_cmd_fit},
    {"predict", "predict accuracy, GPU-hours and costs with intervals for configurations never run", cf_cmd_predict},
    {"score", "price one finished run (flags or JSON on stdin) and print its cost and a scalar score", cf_cmd_score},
    {"import", "read runs from MLflow, Optuna, W&B, XML, CSV or JSON into a run store (SQLite)", cf_cmd_import},
    {"store", "list the sources of a run store, or remove a source's runs", cf_cmd_store},
    {"catalog", "show, validate or export the price catalog", cf_cmd_catalog},
    {"tco", "price a procurement plan: cloud, reserved, on-prem, hybrid; breakeven, tornado, Monte Carlo", cf_cmd_tco},
    {"plan", "recommend precision, pruning, hardware and procurement under accuracy, budget, CO2e, deadline",
     cf_cmd_plan},
    {"study", "create, show or import runs into a Bayesian-optimisation study (search space + objectives, SQLite)",
     cf_cmd_study},
    {"suggest", "ask a study for the next configurations to run (EHVI, ParEGO; pending trials accounted for)",
     cf_cmd_suggest},
    {"curves", "price the GPU-hours spent after learning curves plateaued; what early stopping would save",
     cf_cmd_curves},
    {"observe", "tell a study the outcome of a suggested trial (values, or failed / pruned)", cf_cmd_observe},
    {"should-prune", "answer prune or continue for a running trial from the study's learning curves and costs",
     cf_cmd_should_prune},
    {"budget", "check FOCUS bills against budgets: spend, burn rate, forecast; exit 8 when a threshold is reached",
     cf_cmd_budget},
    {0, 0, 0},
};
