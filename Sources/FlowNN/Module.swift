// FlowNN module: see DESIGN.md §2.
