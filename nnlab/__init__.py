"""The course toolkit that chapters and exercises import: data, gradient checking, plotting, explorers.

It holds no answers: every graded function is implemented by the student (or, for the
instructor, in ``autograder.reference``).
"""
