"""A synthetic plan at national scale: N communes × S fan-out steps (plan YAML text)."""

from __future__ import annotations

DEADLINES = [
    "{kind: fixed_date, month: 3, day: 31}",
    "{kind: after_cycle_start, working_days: 40}",
    "{kind: month_end, month: 6}",
    "{kind: quarter_end, quarter: 3}",
    "{kind: fixed_date, month: 11, day: 30}",
]


def commune_codes(n: int) -> list[str]:
    """Codes of the synthetic communes."""
    return [f"XA-{i:05d}" for i in range(1, n + 1)]


def plan_text(communes: int = 10_000, steps: int = 20) -> str:
    """YAML of a plan with ``communes`` communes and ``steps`` yearly steps fanned out over them.

    Every fourth step depends on the one before it (so a quarter of the assignments wait), the rest
    open at cycle start with a mix of deadline kinds.
    """
    lines = [
        "format: 1",
        "plan:",
        "  key: bench-national",
        '  title: {vi: "Kế hoạch thử tải toàn quốc", en: "National-scale benchmark plan"}',
        '  authority: {vi: "Bộ thử nghiệm"}',
        '  document: {number: "0/KH-BENCH", date: 2026-01-01}',
        "  period: {from_year: 2026, to_year: 2030}",
        "  leader: LEADER",
        "  coordinator: COORD",
        "agencies:",
        '  - {code: LEADER, name: {vi: "Lãnh đạo"}, kind: leader}',
        '  - {code: COORD, name: {vi: "Điều phối"}, kind: office}',
    ]
    codes = commune_codes(communes)
    lines += [f'  - {{code: {c}, name: {{vi: "Xã {c[3:]}"}}, kind: commune}}' for c in codes]
    lines += ["groups:", "  communes:", '    name: {vi: "Các xã"}', "    members:"]
    lines += [f"      - {c}" for c in codes]
    lines.append("steps:")
    for i in range(1, steps + 1):
        lines += [
            f"  - id: S{i:02d}",
            f"    clauses: [C-{i:02d}]",
            f'    title: {{vi: "Nhiệm vụ {i}", en: "Step {i}"}}',
            "    fan_out: communes",
            "    cooperating: [COORD]",
        ]
        if i % 4 == 0:
            lines += [f"    depends_on: [S{i - 1:02d}]",
                      f"    deadline: {{kind: after_step, step: S{i - 1:02d}, working_days: 10}}"]
        else:
            lines.append(f"    deadline: {DEADLINES[i % len(DEADLINES)]}")
    return "\n".join(lines) + "\n"
