"""Document screening: the text of PDFs, Word files, e-mails, web pages and sheets, for names."""
