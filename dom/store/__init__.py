"""What dom keeps on disk: the journal, recordings."""
