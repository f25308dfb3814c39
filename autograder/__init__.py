"""Instructor side of the course: reference implementations (the answers) and the grading tools.

Never shipped to students. ``python -m autograder --help`` lists the instructor's commands.
"""
