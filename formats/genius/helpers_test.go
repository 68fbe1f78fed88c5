package genius
