"""RTM billing: therapist time, recalculation of a patient's records from source records, billing
them, the engagement board, the period closer and `momentum billing`."""
