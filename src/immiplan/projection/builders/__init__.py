"""How each shipped base was made: one module per base, from the tables it was published in.

``quebec_2018`` builds the 2018 base's derived files from ISQ's, Statistics Canada's and IRCC's
published tables; ``quebec_2023`` derives the 2023 base by advancing the 2018 one with what
was observed and calibrating it to ISQ's estimate of 1 July 2023. They run from a checkout to
(re)write a base's files, and in the tests that check the shipped files follow from their
sources; a projection never runs them (it reads the files, :mod:`immiplan.projection.bases`).
"""
