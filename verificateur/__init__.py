"""verificateur : conformité cybersécurité des établissements de santé, vérifiée sur leur dépôt de preuves."""

# Une constante plutôt qu'importlib.metadata : --version reste gratuit sur le chemin du crochet.
__version__ = "0.1.0"
