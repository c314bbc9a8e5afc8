"""Adherence reports: prescriptions (TOML) + recordings -> a daily CSV, a 30-day summary CSV, a weekly CSV.

    from sensorkit.report import load_prescriptions, build_report, write_csv, DAILY_COLUMNS, SUMMARY_COLUMNS
    outcome = build_report(load_prescriptions("rx"), ["data"])
    write_csv("report.csv", outcome.daily, DAILY_COLUMNS)
    write_csv("summary.csv", outcome.summary, SUMMARY_COLUMNS)
    write_csv("weekly.csv", outcome.weekly, WEEKLY_COLUMNS)

No plotting here (see :mod:`sensorkit.plot`, which needs the ``plot`` extra).
"""
from sensorkit.report.build import ReportOutcome, build_report, match_session
from sensorkit.report.daily import DAILY_COLUMNS, AnalyzedSession, daily_rows
from sensorkit.report.prescription import ExercisePlan, Prescription, load_prescription, load_prescriptions
from sensorkit.report.summary import SUMMARY_COLUMNS, device_days_band, summary_periods, summary_rows
from sensorkit.report.table import csv_text, write_csv
from sensorkit.report.weekly import WEEKLY_COLUMNS, weekly_rows

__all__ = [
    "AnalyzedSession", "DAILY_COLUMNS", "ExercisePlan", "Prescription", "ReportOutcome", "SUMMARY_COLUMNS",
    "build_report", "csv_text", "daily_rows", "device_days_band", "load_prescription", "load_prescriptions",
    "match_session", "summary_periods", "summary_rows", "WEEKLY_COLUMNS", "weekly_rows", "write_csv",
]
