"""What summarize.py and features_summary.py print alike: number formatting and the load tools' error counts."""


def fmt(value):
    """A table cell: thousands separated from 1000 up, one decimal from 10, three significant digits below."""
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.4f}"


def print_errors(errors):
    """errors: {(workload, target): count summed over rounds}; prints the non-zero ones, if any."""
    failed = {k: v for k, v in errors.items() if v}
    if failed:
        print()
        print("errors reported by the load tools (summed over rounds):")
        for (workload, target), n in sorted(failed.items()):
            print(f"  {workload:<12} {target:<10} {n:.0f}")
