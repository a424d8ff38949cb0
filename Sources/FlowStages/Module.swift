// FlowStages module: see DESIGN.md §2.
