"""Assignment templates: authoring (manifest, markers), release builds, per-student variants, template checks.

    manifest          template.toml -> Template (validated paths and question ids)
    markers           solution / hidden regions in cells -> stubs, removals, region texts
    student_notebook  master notebook -> the student's notebook, reproducible bytes
    release           build_release: OUT/student (release) and OUT/grader (bundle)
    leaks             find_leaks: solution or hidden text in built release files
    variants, question_sheet, parameters_toml   per-student I and F, rendered question sheets

Import from the submodules; this package imports nothing at load time.
"""
