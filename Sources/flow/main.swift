import FlowStages
print("flow")
