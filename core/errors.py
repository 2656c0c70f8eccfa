class BusinessError(Exception):
    """A business rule refused an action. `message` is French and shown to the user as is."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
