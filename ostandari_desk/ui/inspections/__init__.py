"""The «مراکز و بازدیدها» area: the coverage grid, centres, visits, the monthly plan, overdue actions, checklists.

``area.InspectionsArea`` holds the tabs; each tab's page lives in its own module and is built on first view.
"""
