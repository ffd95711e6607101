"""Reading what workers type the way they type it: normalisation, word lists, typo-tolerant
matching, and the readers that turn a message into an occupation, an income, a region, a name, a
yes or no, or a question. Pure: no I/O beyond reading the shipped word lists once."""
