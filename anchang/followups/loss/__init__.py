"""战败: applying to give a customer up, and a manager's decision."""
