"""Writes the force script of the reference run: the 17 plateaus of
--masses 0,2,5,10,20 --series 2 (ISO 376 order, shared zero), 4 s each,
with 0.5 s linear moves between them. Usage: python3 make-force-script.py > force-script.csv"""
loads = [0, 2, 5, 10, 20, 10, 5, 2, 0, 2, 5, 10, 20, 10, 5, 2, 0]
hold, move = 4.0, 0.5
print("# plateaus for: lighttouch calibrate run --yes --masses 0,2,5,10,20 --series 2")
print("time_s,force_g")
t = 0.0
for index, load in enumerate(loads):
    print(f"{t:.3f},{load}")
    t += hold
    print(f"{t:.3f},{load}")
    t += move
print(f"{t + 5:.3f},0")
